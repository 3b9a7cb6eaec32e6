import { describe, expect, it } from 'vitest';
import { DensityFitCancelled, MAX_FIT_POINTS, fitLatentDensity } from '../../../../src/engine/latent/density-fit';
import { LatentDensitySchema, sampleDensity, type LatentDensity } from '../../../../src/shared/latent-density';

function gaussianMixture(dim: number, weights: number[], means: number[][], covariances: number[][]): LatentDensity {
  return {
    dim,
    weights: Float64Array.from(weights),
    means: Float64Array.from(means.flat()),
    covariances: Float64Array.from(covariances.flat()),
    heldOutLogLikelihood: null,
    fittedOn: 0,
  };
}

describe('fitLatentDensity', () => {
  it('recovers a known full-covariance Gaussian from 20,000 draws', async () => {
    const truth = gaussianMixture(3, [1], [[1, -2, 0.5]], [[2, 0.8, -0.3, 0.8, 1, 0.2, -0.3, 0.2, 0.5]]);
    const draws = sampleDensity(truth, 20_000, 1);
    const { density, tried } = await fitLatentDensity(draws, 20_000, 3, { seed: 4, components: [1] });
    expect(LatentDensitySchema.safeParse(density).success).toBe(true);
    expect(tried.map((t) => t.components)).toEqual([1]);
    expect(density.fittedOn).toBe(MAX_FIT_POINTS);
    for (let j = 0; j < 3; j++) expect(density.means[j]).toBeCloseTo(truth.means[j], 1);
    for (let i = 0; i < 9; i++) expect(Math.abs(density.covariances[i] - truth.covariances[i])).toBeLessThan(0.12);
    // The held-out likelihood is near the true density's entropy −½ log((2πe)³ |Σ|).
    const det = 2 * (1 * 0.5 - 0.04) - 0.8 * (0.8 * 0.5 + 0.06) - 0.3 * (0.16 + 0.3);
    expect(density.heldOutLogLikelihood!).toBeCloseTo(-0.5 * Math.log((2 * Math.PI * Math.E) ** 3 * det), 0);
  });

  it('finds a well-separated two-component mixture: two components, their weights and means', async () => {
    const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const truth = gaussianMixture(
      3,
      [0.3, 0.7],
      [
        [6, 0, 0],
        [-4, 1, 2],
      ],
      [eye, eye.map((x) => x * 0.5)],
    );
    const n = 20_000;
    const { density, tried } = await fitLatentDensity(sampleDensity(truth, n, 2), n, 3, { seed: 1 });
    expect(tried.map((t) => t.components)).toEqual([1, 2, 4, 8]);
    // Two components beat one by far on the held-out means; more win by noise only, so two are chosen.
    const ll = new Map(tried.map((t) => [t.components, t.heldOutLogLikelihood]));
    expect(ll.get(2)! - ll.get(1)!).toBeGreaterThan(0.5);
    expect(density.weights.length).toBe(2);
    const order = density.means[0] > 0 ? [0, 1] : [1, 0];
    order.forEach((c, k) => {
      expect(Math.abs(density.weights[c] - truth.weights[k])).toBeLessThan(0.03);
      for (let j = 0; j < 3; j++) expect(Math.abs(density.means[c * 3 + j] - truth.means[k * 3 + j])).toBeLessThan(0.15);
    });
  });

  it('is deterministic given the seed', async () => {
    const truth = gaussianMixture(
      2,
      [0.5, 0.5],
      [
        [-3, 0],
        [3, 0],
      ],
      [
        [1, 0, 0, 1],
        [1, 0.5, 0.5, 1],
      ],
    );
    const draws = sampleDensity(truth, 2000, 3);
    const a = await fitLatentDensity(draws, 2000, 2, { seed: 9 });
    const b = await fitLatentDensity(draws, 2000, 2, { seed: 9 });
    expect(a).toEqual(b);
  });

  it('refuses too few means and stops when cancelled', async () => {
    await expect(fitLatentDensity(new Float32Array(16), 4, 4)).rejects.toThrow(/needs at least 10 means, got 4/);
    const controller = new AbortController();
    controller.abort();
    const truth = gaussianMixture(2, [1], [[0, 0]], [[1, 0, 0, 1]]);
    await expect(fitLatentDensity(sampleDensity(truth, 500, 1), 500, 2, { signal: controller.signal })).rejects.toThrow(DensityFitCancelled);
  });
});
