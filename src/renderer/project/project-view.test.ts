/**
 * Issue 25, item 9: what the page keeps of its view through the app (a reload) and a project (a
 * reopen): the colouring and the keyframes not yet kept with "Keep path".
 */
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { model } from '../shell/testing/fixtures';

const held: ProjectView = {
  camera: null,
  paths: [],
  activePath: null,
  colorMode: 'recon',
  draft: { latentDim: 3, keyframes: Float32Array.from([1, 2, 3, -1, -2, -3]), sources: [{ index: 5 }, null], segments: ['spherical'] },
};

async function reloadedPage(view: ProjectView | null) {
  const fake = fakeApi({
    projectCurrent: () => ({ path: null, view, missingFolder: null }),
    recentProjects: () => ({ projects: [] }),
    projectUpdate: () => ({ saved: false, path: null }),
  });
  const app = new AppState(fake.api, () => true);
  app.model = model({ latentDim: 3 });
  const stop = app.project.listen();
  await new Promise((r) => setTimeout(r, 0));
  return { app, fake, stop };
}

describe('the view a reload and a project keep', () => {
  it('a reloaded page takes back the colouring and the keyframes being edited', async () => {
    const { app, stop } = await reloadedPage(held);
    expect(app.project.synced).toBe(true);
    expect(app.view.style.coloring).toBe('recon');
    expect(app.animation.keyframes.map((k) => Array.from(k.z))).toEqual([
      [1, 2, 3],
      [-1, -2, -3],
    ]);
    expect(app.animation.keyframes.map((k) => k.source)).toEqual([{ index: 5 }, null]);
    expect(app.animation.segments).toEqual(['spherical']);
    stop();
  });

  it('the view pushed to the app holds them', async () => {
    const { app, stop } = await reloadedPage(null);
    expect(app.project.view()).toEqual({ camera: null, paths: [], activePath: null, colorMode: 'label' });
    await app.view.style.setColoring('kl');
    app.animation.add(Float32Array.from([0.5, 0, -0.5]), { index: 2, label: '7' });
    const view = app.project.view();
    expect(view.colorMode).toBe('kl');
    expect(view.draft?.sources).toEqual([{ index: 2, label: '7' }]);
    expect(Array.from(view.draft?.keyframes ?? [])).toEqual([0.5, 0, -0.5]);
    expect(view.draft?.segments).toEqual([]);
    stop();
  });
});
