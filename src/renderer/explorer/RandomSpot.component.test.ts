import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../shared/contract';
import type { LatentDensity } from '../../shared/latent-density';
import { project } from '../../shared/projection';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ShortcutHelp from './ShortcutHelp.svelte';
import ViewToolbar from './ViewToolbar.svelte';

const d = 4;
// One tight Gaussian far from the origin: a draw from it lies near (30, −30, 30, −30), one from N(0, I) near 0.
const density: LatentDensity = {
  dim: d,
  weights: Float64Array.of(1),
  means: Float64Array.of(30, -30, 30, -30),
  covariances: Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 0.01 : 0)),
  heldOutLogLikelihood: null,
  fittedOn: 100,
};
const linear = {
  kind: 'pca' as const,
  latentDim: d,
  mean: [0, 0, 0, 0],
  axes: [
    [0.5, 0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5, -0.5],
    [0.5, 0.5, -0.5, -0.5],
  ],
  explained: [0.4, 0.3, 0.2],
};

function setup(latentDensity?: LatentDensity) {
  const fake = fakeApi({ decode: () => ({ count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(1) }) as Images });
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  app.model = model({ latentDim: d, fitsDataset: false, latentDensity });
  const empty = new Float32Array(0);
  app.view.linear = linear;
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'pca', count: 0, latentDim: d, view: empty, mu: empty, ids: new Int32Array(0), labels: new Int32Array(0) },
    ...{ labelNames: [], version: 1, animateMs: 0, frame: false },
  };
  render(WithSlices, { props: { app, component: ViewToolbar, props: { live: false, identityAllowed: false, onhelp: () => {} } } });
  return { app, fake };
}

describe('Random spot', () => {
  it('decodes a z drawn from the fitted density and puts the cursor at its place in the view', async () => {
    const { app, fake } = setup(density);
    await fireEvent.click(screen.getByRole('button', { name: 'Random spot (X)' }));
    await waitFor(() => expect(app.view.decoder.decoded?.source).toBe('random'));
    const z = fake.argsOf('decode')[0].z;
    expect(z.length).toBe(d);
    [30, -30, 30, -30].forEach((v, j) => expect(Math.abs(z[j] - v)).toBeLessThan(1));
    const expected = Array.from(project(linear, z, 1));
    app.view.cursor!.forEach((v, a) => expect(v).toBeCloseTo(expected[a], 4));
  });

  it('without a density, the spot is drawn from N(0, I)', async () => {
    const { fake } = setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Random spot (X)' }));
    const z = fake.argsOf('decode')[0].z;
    expect(Math.max(...Array.from(z, Math.abs))).toBeLessThan(6);
  });

  it('is listed in the shortcut help', () => {
    render(ShortcutHelp, { props: { onclose: () => {} } });
    expect(screen.getByText('X').nextElementSibling?.textContent).toContain('random spot');
  });
});
