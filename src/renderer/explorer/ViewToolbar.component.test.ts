import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { PointStats, Projection } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ViewToolbar from './ViewToolbar.svelte';

// A PCA of the fixture's 2-D points that swaps the two axes: image 1 at μ = (2, 0) shows at (0, 2, 0).
const pca: Projection = {
  kind: 'pca',
  latentDim: 2,
  mean: [0, 0],
  axes: [
    [0, 1],
    [1, 0],
    [0, 0],
  ],
  explained: [0.6, 0.4, 0],
};
const stats: PointStats = { count: 6, modelEpoch: 3, recon: new Float32Array(6), kl: new Float32Array(6), rmse: new Float32Array(6) };

function setup({ points = true, live = false } = {}) {
  const fake = fakeApi({ projection: () => pca, pointStats: () => stats });
  const app = new AppState(fake.api, () => true);
  if (points) withPoints(app);
  const onhelp = vi.fn();
  render(WithSlices, { props: { app, component: ViewToolbar, props: { live, identityAllowed: true, onhelp } } });
  return { app, fake, onhelp };
}

const button = (name: string): HTMLButtonElement => screen.getByRole('button', { name }) as HTMLButtonElement;
const pressed = (name: string): string | null => button(name).getAttribute('aria-pressed');

describe('ViewToolbar', () => {
  it('without points, the projections and colourings cannot be chosen', () => {
    setup({ points: false });
    for (const name of ['Latent view (1)', 'PCA view (2)', 'UMAP view (3)', 'Colour by label', 'A flat 2D view (D)']) expect(button(name).disabled).toBe(true);
  });

  it('shows the latent space itself for d ≤ 3 (no UMAP); PCA asks the engine for its axes and shows them', async () => {
    const { app, fake } = setup();
    expect(pressed('Latent view (1)')).toBe('true');
    expect(button('UMAP view (3)').disabled).toBe(true);
    await fireEvent.click(button('PCA view (2)'));
    await waitFor(() => expect(pressed('PCA view (2)')).toBe('true'));
    expect(pressed('Latent view (1)')).toBe('false');
    expect(fake.argsOf('projection')).toEqual([{ kind: 'pca' }]);
    await waitFor(() => expect(app.view.layout?.kind).toBe('pca'));
    expect(Array.from(app.view.layout!.view.slice(3, 6))).toEqual([0, 2, 0]);
  });

  it('colouring by KL loads the points’ measures', async () => {
    const { app, fake } = setup();
    expect(pressed('Colour by label')).toBe('true');
    await fireEvent.click(button('Colour by KL(q(z|x) ‖ p(z))'));
    await waitFor(() => expect(app.view.style.stats).not.toBeNull());
    expect(pressed('Colour by KL(q(z|x) ‖ p(z))')).toBe('true');
    expect(fake.argsOf('pointStats')).toHaveLength(1);
  });

  it('2D flattens the view; pressed again it is 3D', async () => {
    const { app } = setup();
    await fireEvent.click(button('A flat 2D view (D)'));
    await waitFor(() => expect(pressed('A flat 2D view (D)')).toBe('true'));
    expect(app.view.dims).toBe(2);
    await fireEvent.click(button('A flat 2D view (D)'));
    await waitFor(() => expect(pressed('A flat 2D view (D)')).toBe('false'));
    expect(app.view.dims).toBe(3);
  });

  it('while training shows its live view, only the label colouring and the 3D view are offered', () => {
    setup({ live: true });
    expect(button('Colour by label').disabled).toBe(false);
    expect(button('Colour by KL(q(z|x) ‖ p(z))').disabled).toBe(true);
    expect(button('A flat 2D view (D)').disabled).toBe(true);
    expect(button('Random spot (X)').disabled).toBe(true);
  });

  it('Reset asks the view for its home camera; ? opens the shortcuts; σ shows the prior’s shells', async () => {
    const { app, onhelp } = setup();
    await fireEvent.click(button('Reset the view (R)'));
    expect(app.camera.latest?.kind).toBe('reset');
    await fireEvent.click(button('Keyboard shortcuts (?)'));
    expect(onhelp).toHaveBeenCalledOnce();
    const shells = app.view.style.showShells;
    await fireEvent.click(button("Show the prior's 1σ and 2σ shells (S)"));
    expect(app.view.style.showShells).toBe(!shells);
  });
});
