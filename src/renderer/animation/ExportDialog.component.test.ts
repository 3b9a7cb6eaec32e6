import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Embeddings, Stamped } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model, status } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ExportDialog from './ExportDialog.svelte';

function setup() {
  const fake = fakeApi({
    export: (a) => ({ kind: 'webm', path: a.path, bytes: 2048, files: 1 }),
    exportPoints: (a) => ({ path: a.path, bytes: 4096, rows: 70000 }),
  });
  const app = new AppState(fake.api, () => true);
  app.status = status({ allowedRoots: ['/data', '/home/me/out'], dataDir: '/data' });
  app.dataset = mnist();
  app.model = model({ latentDim: 2 });
  render(WithSlices, { props: { app, component: ExportDialog } });
  return { app, fake };
}

const button = (testid: string): HTMLButtonElement => screen.getByTestId(testid) as HTMLButtonElement;

describe('ExportDialog', () => {
  it('is shown only once opened, with targets in the first allowed folder that is not the data dir', async () => {
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
    await fireEvent.change(screen.getByTestId('export-format'), { target: { value: 'webm' } });
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
});
