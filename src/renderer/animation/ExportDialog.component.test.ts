import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Embeddings, Stamped } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { ApiError } from '../lib/api';
import { escStack } from '../shell/esc-stack';
import { fakeApi, type Answers } from '../shell/testing/fake-api';
import { mnist, model, status } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ExportDialog from './ExportDialog.svelte';

// happy-dom has no WebCodecs: the MP4 encoder is stood in for, and whatever reaches it is recorded.
const encoded = vi.hoisted(() => [] as { count: number; options: { scale: number; fps: number; kbps: number; note: string } }[]);
vi.mock('./mp4-export', async (original) => ({
  ...(await original<typeof import('./mp4-export')>()),
  encodeMp4: async (images: { count: number }, options: { scale: number; fps: number; kbps: number; note: string }) => {
    encoded.push({ count: images.count, options });
    return new Uint8Array([0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]);
  },
}));

function setup(answers: Answers = {}, ask: (question: string) => boolean = () => true) {
  const fake = fakeApi({
    export: (a) => ({ kind: 'webm', path: a.path, bytes: 2048, files: 1 }),
    exportPoints: (a) => ({ path: a.path, bytes: 4096, rows: 70000 }),
    ...answers,
  });
  const app = new AppState(fake.api, ask);
  // The dataset's folder is an allowed folder too: the targets must not be suggested in it.
  app.status = status({ allowedRoots: ['/data', '/home/me/photos', '/home/me/out'], dataDir: '/data', exportsDir: '/home/me/out' });
  app.dataset = mnist();
  app.model = model({ latentDim: 2 });
  const { unmount } = render(WithSlices, { props: { app, component: ExportDialog } });
  return { app, fake, unmount };
}

const button = (testid: string): HTMLButtonElement => screen.getByTestId(testid) as HTMLButtonElement;

describe('ExportDialog', () => {
  it("is shown only once opened, with targets in the app's exports folder (the service's default), not the dataset's", async () => {
    const { app } = setup();
    expect(screen.queryByRole('dialog')).toBeNull();
    app.animation.exportOpen = true;
    await tick();
    expect(screen.getByRole('dialog', { name: 'Export the animation' })).toBeTruthy();
    expect((screen.getByTestId('export-path') as HTMLInputElement).value).toBe('/home/me/out/latent-path.gif');
    expect((screen.getByTestId('points-path') as HTMLInputElement).value).toBe('/home/me/out/points.csv');
  });

  it('cannot export before there is a path (two keyframes), nor save points before there are points', async () => {
    const { app } = setup();
    app.animation.exportOpen = true;
    await tick();
    expect(button('export-start').disabled).toBe(true);
    expect(button('save-points').disabled).toBe(true);
    expect(button('save-path').disabled).toBe(true);
  });

  it('exports the path in the chosen format to the typed target, and says what was written', async () => {
    const { app, fake } = setup();
    app.animation.add(Float32Array.from([0, 0]));
    app.animation.add(Float32Array.from([1, 1]));
    app.animation.exportOpen = true;
    await tick();
    await fireEvent.change(screen.getByTestId('video-format'), { target: { value: 'webm' } });
    expect((screen.getByTestId('export-path') as HTMLInputElement).value).toBe('/home/me/out/latent-path.webm');
    await fireEvent.click(button('export-start'));
    expect(fake.argsOf('export')).toHaveLength(1);
    expect(fake.argsOf('export')[0]).toMatchObject({ path: '/home/me/out/latent-path.webm', fps: app.animation.fps, scale: app.animation.scale });
    await waitFor(() => expect(screen.getByTestId('export-result').textContent).toBe('Wrote /home/me/out/latent-path.webm (2.0 kB)'));
  });

  it('saves the points as CSV through the animation slice and tells the user', async () => {
    const { app, fake } = setup();
    app.embeddings = { count: 1 } as unknown as Stamped<Embeddings>;
    app.animation.exportOpen = true;
    await tick();
    await fireEvent.click(button('save-points'));
    expect(fake.argsOf('exportPoints')).toEqual([{ path: '/home/me/out/points.csv' }]);
    await waitFor(() => expect(app.notices.map((n) => n.message)).toEqual(['70000 points saved to /home/me/out/points.csv (4.0 kB)']));
  });

  it('Close hides the dialog', async () => {
    const { app } = setup();
    app.animation.exportOpen = true;
    await tick();
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(app.animation.exportOpen).toBe(false);
  });

  it("asks before saving inside the open dataset's folder, and saves there only on yes, with the confirmation", async () => {
    const refuse = (a: { path: string; insideDataset?: true }) => {
      if (!a.insideDataset) throw new ApiError('inside-dataset', `the CSV file "${a.path}" is inside the open dataset's folder /home/me/photos`);
      return { path: a.path, bytes: 4096, rows: 70000 };
    };
    for (const yes of [true, false]) {
      const questions: string[] = [];
      const { app, fake, unmount } = setup({ exportPoints: refuse }, (q) => (questions.push(q), yes));
      app.embeddings = { count: 1 } as unknown as typeof app.embeddings;
      app.animation.exportOpen = true;
      await tick();
      await fireEvent.input(screen.getByTestId('points-path'), { target: { value: '/home/me/photos/points.csv' } });
      await fireEvent.click(button('save-points'));
      await waitFor(() => expect(app.notices).toHaveLength(1));
      expect(questions).toEqual([`the CSV file "/home/me/photos/points.csv" is inside the open dataset's folder /home/me/photos\n\nWrite it there anyway?`]);
      if (yes) {
        expect(fake.argsOf('exportPoints')).toEqual([{ path: '/home/me/photos/points.csv' }, { path: '/home/me/photos/points.csv', insideDataset: true }]);
        expect(app.notices[0]).toMatchObject({ level: 'info', message: '70000 points saved to /home/me/photos/points.csv (4.0 kB)' });
      } else {
        expect(fake.argsOf('exportPoints')).toEqual([{ path: '/home/me/photos/points.csv' }]);
        expect(app.notices[0]).toMatchObject({ level: 'error' });
      }
      unmount();
    }
  });

  it('Esc closes the dialog (the Esc stack), and not while an export runs', async () => {
    const stop = escStack.listen(window);
    try {
      const { app } = setup();
      app.animation.exportOpen = true;
      await tick();
      app.animation.exportRun = { state: 'running', stage: 'decode', done: 0, total: 10, message: null, path: null };
      await tick();
      await fireEvent.keyDown(window, { key: 'Escape' });
      expect(app.animation.exportOpen).toBe(true);
      app.animation.exportRun = null;
      await tick();
      await fireEvent.keyDown(window, { key: 'Escape' });
      await tick();
      expect(screen.queryByRole('dialog')).toBeNull();
      expect(escStack.depth).toBe(0);
    } finally {
      stop();
    }
  });

  const optionValues = (): string[] => Array.from((screen.getByTestId('video-format') as HTMLSelectElement).options, (o) => o.value);

  it('offers MP4 only where the window has an H.264 encoder, and otherwise says so plainly', async () => {
    const { app, unmount } = setup();
    app.animation.exportOpen = true;
    await waitFor(() => expect(screen.getByTestId('no-mp4').textContent).toBe('MP4 needs an H.264 encoder, which this system lacks — WebM instead.'));
    expect(optionValues()).not.toContain('mp4');
    expect(optionValues()).toContain('webm');
    unmount();
    const again = setup();
    again.app.animation.exporter.mp4 = true;
    again.app.animation.exportOpen = true;
    await tick();
    expect(optionValues()).toContain('mp4');
    expect(screen.queryByTestId('no-mp4')).toBeNull();
    await fireEvent.change(screen.getByTestId('video-format'), { target: { value: 'mp4' } });
    expect((screen.getByTestId('export-path') as HTMLInputElement).value).toBe('/home/me/out/latent-path.mp4');
    expect(screen.getByTestId('export-bitrate')).toBeTruthy();
    expect(screen.queryByTestId('export-quality')).toBeNull();
  });

  it('sends hold frames, the loop count, equal-change spacing and the WebM quality with the export', async () => {
    const { app, fake } = setup();
    app.animation.add(Float32Array.from([0, 0]));
    app.animation.add(Float32Array.from([1, 1]));
    app.animation.exportOpen = true;
    await tick();
    await fireEvent.change(screen.getByTestId('video-format'), { target: { value: 'webm' } });
    await fireEvent.input(screen.getByTestId('export-hold'), { target: { value: '3' } });
    await fireEvent.input(screen.getByTestId('export-loops'), { target: { value: '2' } });
    await fireEvent.click(screen.getByTestId('export-equal-change'));
    await fireEvent.input(screen.getByTestId('export-quality'), { target: { value: '70' } });
    await fireEvent.click(button('export-start'));
    expect(fake.argsOf('export')[0]).toMatchObject({ path: '/home/me/out/latent-path.webm', hold: 3, loops: 2, equalChange: true, quality: 70 });
  });

  it('exports an MP4: the engine decodes the frames, the window encodes them with the path inside, the service writes the bytes', async () => {
    encoded.length = 0;
    const frames = { count: 7, width: 2, height: 2, channels: 1 as const, pixels: new Uint8Array(28) };
    const { app, fake } = setup({
      exportFrames: () => ({ images: frames, note: '{"format":"latentscape-export-path"}' }),
      exportVideo: (a) => ({ path: a.path, bytes: a.bytes.byteLength, files: 1 }),
    });
    app.animation.add(Float32Array.from([0, 0]));
    app.animation.add(Float32Array.from([1, 1]));
    app.animation.exporter.mp4 = true;
    app.animation.exportOpen = true;
    await tick();
    await fireEvent.change(screen.getByTestId('video-format'), { target: { value: 'mp4' } });
    await fireEvent.input(screen.getByTestId('export-hold'), { target: { value: '2' } });
    await fireEvent.change(screen.getByTestId('export-bitrate'), { target: { value: '500' } });
    await fireEvent.click(button('export-start'));
    await waitFor(() => expect(screen.getByTestId('export-result').textContent).toBe('Wrote /home/me/out/latent-path.mp4 (8 B)'));
    expect(fake.argsOf('export')).toHaveLength(0);
    expect(fake.argsOf('exportFrames')[0]).toMatchObject({ hold: 2, frames: app.animation.frames });
    expect(encoded).toEqual([
      { count: 7, options: expect.objectContaining({ kbps: 500, scale: app.animation.scale, note: '{"format":"latentscape-export-path"}' }) },
    ]);
    expect(fake.argsOf('exportVideo')[0].path).toBe('/home/me/out/latent-path.mp4');
  });
});
