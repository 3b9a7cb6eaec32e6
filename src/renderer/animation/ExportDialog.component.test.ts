import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Embeddings, Stamped } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { ApiError } from '../lib/api';
import { escStack } from '../shell/esc-stack';
import { fakeApi, type Answers } from '../shell/testing/fake-api';
import { mnist, model, status } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ExportDialog from './ExportDialog.svelte';

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
});
