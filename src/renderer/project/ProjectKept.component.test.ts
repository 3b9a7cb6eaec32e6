/**
 * A project keeps the custom axis and the dropped images (issue 27): saved from the page, put back when
 * it is opened (the axis once the project's points are in the view), and an old project's view without
 * them leaves the view as it is.
 */
import { render, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EncodedImage, Images, ProjectSummary, ProjectView } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { model, status, withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ProjectPanel from './ProjectPanel.svelte';

const image = (fill: number): Images => ({ count: 1, height: 2, width: 2, channels: 1, pixels: new Uint8Array(4).fill(fill) });
const encoded = (name: string, mu: number[]): EncodedImage => ({
  name,
  mu: Float32Array.from(mu),
  sigma: Float32Array.of(0.1, 0.1),
  input: image(250),
  reconstruction: image(30),
  reconNats: 40,
  rmse: 9,
  nearest: { ids: Int32Array.of(1, 2), distances: Float32Array.of(0.5, 0.7) },
});
const PROJECTION = {
  kind: 'pca' as const,
  latentDim: 2,
  mean: [0, 0],
  axes: [
    [0.6, 0.8],
    [-0.8, 0.6],
    [0, 0],
  ],
  explained: [0.7, 0.3, 0],
};
const { kind: _kind, ...kept } = PROJECTION;
const AXIS = { what: 'A → B', ...kept };
/** The model an opened project names (the fixtures' points are of this model). */
const PROJECT_MODEL = model().dir;

function setup() {
  const fake = fakeApi({
    projectCurrent: () => ({ path: null, view: null, missingFolder: null }),
    recentProjects: () => ({ projects: [] }),
    projectUpdate: () => ({ saved: false, path: null }),
    projectSave: ({ path }) => ({ path }),
    status: () => status(),
    encodeImage: ({ name }) => encoded(name, [1, 2]),
  });
  const app = new AppState(fake.api, () => true);
  app.status = status();
  render(WithSlices, { props: { app, component: ProjectPanel } });
  return { app, fake };
}

function opened(view: ProjectView): ProjectSummary {
  return { path: '/projects/p', dataset: null, model: model({ dir: PROJECT_MODEL }), weightsHash: null, view, missingFolder: null };
}

beforeEach(() => localStorage.clear());

describe('a project keeps the custom axis and the dropped images', () => {
  it('saves the axis on show and the open model’s dropped images', async () => {
    const { app, fake } = setup();
    withPoints(app);
    await waitFor(() => expect(app.project.synced).toBe(true));
    await app.dropped.addFiles([new File([new Uint8Array(8)], 'cat.png', { type: 'image/png' })]);
    app.view.showCustomProjection(PROJECTION, 'A → B');
    await app.project.save('/projects/p');
    const view = fake.argsOf('projectSave').at(-1)!.view!;
    expect(view.customAxis).toEqual(AXIS);
    expect(view.dropped?.map((d) => [d.name, Array.from(d.mu)])).toEqual([['cat.png', [1, 2]]]);
  });

  it('puts them back when a project opens: the images at once, the axis once the project’s points are shown', async () => {
    const { app, fake } = setup();
    await waitFor(() => expect(app.project.synced).toBe(true));
    fake.emit('projectOpened', opened({ camera: null, paths: [], activePath: null, customAxis: AXIS, dropped: [encoded('dog.jpg', [3, 4])] }));
    app.model = model({ dir: PROJECT_MODEL });
    expect(app.dropped.items.map((d) => d.encoded.name)).toEqual(['dog.jpg']);
    await new Promise((r) => setTimeout(r, 20));
    expect(app.view.customAxis).toBeNull();
    // The project's points arrive: the view turns to the kept axis.
    withPoints(app);
    await waitFor(() => expect(app.view.customAxis?.what).toBe('A → B'));
    expect(app.view.linear?.axes[0]).toEqual([0.6, 0.8]);
    // Another model shows none of the project's images.
    app.model = model({ dir: '/elsewhere' });
    expect(app.dropped.items).toEqual([]);
  });

  it('an old project without them opens and leaves no axis or images behind', async () => {
    const { app, fake } = setup();
    withPoints(app);
    await waitFor(() => expect(app.project.synced).toBe(true));
    fake.emit('projectOpened', opened({ camera: null, paths: [], activePath: null }));
    app.model = model({ dir: PROJECT_MODEL });
    expect(app.dropped.items).toEqual([]);
    expect(app.view.customAxis).toBeNull();
    expect(app.project.view().customAxis).toBeUndefined();
    expect(app.project.view().dropped).toBeUndefined();
  });
});
