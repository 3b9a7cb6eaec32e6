import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../../shared/contract';
import type { LatentDensity } from '../../../shared/latent-density';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { embeddings, withPoints } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import DirectionsPanel from './DirectionsPanel.svelte';

const d = 3;
/** The points lie on one line through the origin along u (its largest component positive, as the fit orients axes). */
const u = [0.8, 0.36, -0.48];
const count = 60;
const along = Array.from({ length: count }, (_, i) => (i - 29.5) * 0.1);
const mu = Float32Array.from(along.flatMap((s) => u.map((x) => s * x)));
/** The standard deviation along u of the 50 points nearest the origin (the middle 50). */
const middle = along.slice(5, 55);
const localSigma = Math.sqrt(middle.reduce((s, x) => s + x * x, 0) / (middle.length - 1));
const globalSigma = Math.sqrt(along.reduce((s, x) => s + x * x, 0) / (count - 1));

function setup() {
  const fake = fakeApi({ decode: ({ z }) => ({ count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(z.length) }) as Images });
  const app = new AppState(fake.api, () => true);
  const projection = { kind: 'identity' as const, latentDim: d, mean: [0, 0, 0], axes: [u, [0, 1, 0], [0, 0, 1]], explained: [1, 0, 0] };
  withPoints(
    app,
    embeddings({ count, latentDim: d, mu, view: mu.slice(), ids: Int32Array.from({ length: count }, (_, i) => i), labels: new Int32Array(count), projection }),
  );
  render(WithSlices, { props: { app, component: DirectionsPanel } });
  return { app, fake };
}

const lastDecoded = (fake: ReturnType<typeof fakeApi>): Float32Array => fake.argsOf('decode').at(-1)!.z;
const slide = (i: number, t: number) => fireEvent.input(screen.getByTestId(`direction-slider-${i}`), { target: { value: String(t) } });

describe('DirectionsPanel', () => {
  it('shows one range slider per direction at the decoded point', async () => {
    const { app } = setup();
    expect(screen.queryByTestId('direction-sliders')).toBeNull();
    app.view.decodeLatent(Float32Array.of(0, 0, 0), 'typed');
    await waitFor(() => expect(screen.getByTestId('direction-sliders').querySelectorAll('input[type=range]').length).toBe(d));
  });

  it('a drag decodes z0 + t·σ·v along the local direction, from the same z0 each time', async () => {
    const { app, fake } = setup();
    const z0 = [0.01, -0.02, 0.03];
    app.view.decodeLatent(Float32Array.from(z0), 'typed');
    await waitFor(() => screen.getByTestId('direction-slider-0'));
    for (const t of [1.5, -2]) {
      await slide(0, t);
      await waitFor(() => expect(app.view.decoder.decoded?.z).toBe(lastDecoded(fake)));
      lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(z0[j] + t * localSigma * u[j], 5));
    }
    expect(screen.getByTestId('directions-reset')).toHaveProperty('disabled', false);
    await fireEvent.click(screen.getByTestId('directions-reset'));
    await waitFor(() => lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(z0[j], 6)));
  });

  it('global directions are fitted to all the points', async () => {
    const { app, fake } = setup();
    app.view.decodeLatent(Float32Array.of(0, 0, 0), 'typed');
    await waitFor(() => screen.getByTestId('direction-slider-0'));
    await fireEvent.click(screen.getByTestId('directions-global'));
    await slide(0, 1);
    await waitFor(() => lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(globalSigma * u[j], 5)));
  });

  it("a slider's direction becomes the view's x axis, and clicks in that view decode through it", async () => {
    const { app, fake } = setup();
    app.view.decodeLatent(Float32Array.of(0, 0, 0), 'typed');
    await waitFor(() => screen.getByTestId('direction-axis-0'));
    expect(screen.queryByTestId('custom-axis-what')).toBeNull();
    await fireEvent.click(screen.getByTestId('direction-axis-0'));
    await waitFor(() => expect(screen.getByTestId('custom-axis-what').textContent).toBe('local PC1'));
    expect(app.view.customAxis?.what).toBe('local PC1');
    app.view.linear!.axes[0].forEach((x, j) => expect(x).toBeCloseTo(u[j], 5));
    // The points lie along u: each one's view x is its position along the line.
    along.forEach((s, i) => expect(app.view.layout!.view[i * 3]).toBeCloseTo(s, 4));
    app.view.clickSpace([0.5, 0, 0]);
    await waitFor(() => lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(0.5 * u[j], 4)));
    // A flat view keeps the custom axis: x as before, z flattened.
    await app.view.setDims(2);
    expect(app.view.customAxis?.what).toBe('local PC1');
    along.forEach((s, i) => expect(app.view.layout!.view[i * 3]).toBeCloseTo(s, 4));
    expect(app.view.layout!.view.filter((_, k) => k % 3 === 2).every((v) => v === 0)).toBe(true);
    await fireEvent.click(screen.getByTestId('custom-axis-clear'));
    await waitFor(() => expect(app.view.customAxis).toBeNull());
  });

  it('k sets how many nearest means the local directions are fitted to', async () => {
    const { app, fake } = setup();
    app.view.decodeLatent(Float32Array.of(0, 0, 0), 'typed');
    await waitFor(() => screen.getByTestId('directions-k'));
    await fireEvent.change(screen.getByTestId('directions-k'), { target: { value: String(count) } });
    await slide(0, 1);
    // All the points: the local fit is the global one.
    await waitFor(() => lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(globalSigma * u[j], 5)));
  });

  it('a flat custom view decodes a click to the density conditional mean, as a flat PCA view does', async () => {
    const { app, fake } = setup();
    const m = [5, 5, 5];
    const density: LatentDensity = {
      ...{ dim: d, weights: Float64Array.of(1), means: Float64Array.from(m), heldOutLogLikelihood: null, fittedOn: count },
      covariances: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
    };
    app.model = { ...app.model!, latentDensity: density };
    app.view.decodeLatent(Float32Array.of(0, 0, 0), 'typed');
    await waitFor(() => screen.getByTestId('direction-axis-0'));
    await fireEvent.click(screen.getByTestId('direction-axis-0'));
    await app.view.setDims(2);
    app.view.clickSpace([0.5, 0.2, 0]);
    // An isotropic Gaussian: the unseen axis takes the density mean's value along it, the seen ones the click's.
    const [x, y, unseen] = app.view.linear!.axes;
    const along = unseen.reduce((s, v, j) => s + v * m[j], 0);
    await waitFor(() => lastDecoded(fake).forEach((v, j) => expect(v).toBeCloseTo(0.5 * x[j] + 0.2 * y[j] + along * unseen[j], 4)));
  });
});
