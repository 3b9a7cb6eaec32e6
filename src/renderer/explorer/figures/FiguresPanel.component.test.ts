import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../../shared/contract';
import type { LatentDensity } from '../../../shared/latent-density';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { mnist, model } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import FiguresPanel from './FiguresPanel.svelte';

// Two components far from the origin: samples of it average near (20, 20), samples of N(0, I) near 0.
const density: LatentDensity = {
  dim: 2,
  weights: Float64Array.of(0.5, 0.5),
  means: Float64Array.of(19, 19, 21, 21),
  covariances: Float64Array.of(0.1, 0, 0, 0.1, 0.1, 0, 0, 0.1),
  heldOutLogLikelihood: null,
  fittedOn: 100,
};

function setup(latentDensity?: LatentDensity) {
  const fake = fakeApi({ decode: ({ z }) => ({ count: z.length / 2, height: 1, width: 1, channels: 1, pixels: new Uint8Array(z.length / 2) }) as Images });
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  app.model = model({ latentDim: 2, fitsDataset: false, latentDensity });
  const empty = new Float32Array(0);
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'identity', count: 0, latentDim: 2, view: empty, mu: empty, ids: new Int32Array(0), labels: new Int32Array(0) },
    ...{ labelNames: [], version: 1, animateMs: 0, frame: false },
  };
  render(WithSlices, { props: { app, component: FiguresPanel } });
  return { app, fake };
}

const meanOfDecoded = (fake: ReturnType<typeof fakeApi>): number => {
  const z = fake.argsOf('decode')[0].z;
  return z.reduce((s, v) => s + v, 0) / z.length;
};

describe('FiguresPanel: the sample grid', () => {
  it("draws from the model's fitted density by default, and says so in the figure's title", async () => {
    const { app, fake } = setup(density);
    expect((screen.getByRole('combobox', { name: 'samples drawn from' }) as HTMLSelectElement).value).toBe('density');
    await fireEvent.click(screen.getByTestId('prior-samples'));
    await waitFor(() => expect(app.figures.figure?.title).toBe('Samples of the fitted latent density (2 components, seed 1)'));
    expect(meanOfDecoded(fake)).toBeGreaterThan(15);
  });

  it('N(0, I) is a choice labelled as such', async () => {
    const { app, fake } = setup(density);
    const select = screen.getByRole('combobox', { name: 'samples drawn from' });
    expect(screen.getByRole('option', { name: 'N(0, I)' })).toBeTruthy();
    await fireEvent.change(select, { target: { value: 'normal' } });
    await fireEvent.click(screen.getByTestId('prior-samples'));
    await waitFor(() => expect(app.figures.figure?.title).toBe('Samples of the prior N(0, I) (seed 1)'));
    expect(Math.abs(meanOfDecoded(fake))).toBeLessThan(1);
  });

  it('a model without a density samples N(0, I), the only choice', async () => {
    const { app } = setup();
    expect((screen.getByRole('combobox', { name: 'samples drawn from' }) as HTMLSelectElement).value).toBe('normal');
    expect(screen.queryByRole('option', { name: 'the fitted density' })).toBeNull();
    await fireEvent.click(screen.getByTestId('prior-samples'));
    await waitFor(() => expect(app.figures.figure?.title).toBe('Samples of the prior N(0, I) (seed 1)'));
  });
});
