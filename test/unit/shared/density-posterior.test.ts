import { describe, expect, it } from 'vitest';
import { densityPosteriorMean } from '../../../src/shared/density-posterior';
import { densityLogPdf, type LatentDensity } from '../../../src/shared/latent-density';

function gaussian(mean: number[], covariance: number[]): LatentDensity {
  return {
    dim: mean.length,
    weights: Float64Array.of(1),
    means: Float64Array.from(mean),
    covariances: Float64Array.from(covariance),
    heldOutLogLikelihood: null,
    fittedOn: 100,
  };
}

describe('densityPosteriorMean', () => {
  it('one Gaussian with a diagonal covariance: each offset shrinks by λ / (λ + s²)', () => {
    // Σ = diag(2, 0.5), s² = 0.5: factors 0.8 and 0.5 on the offset (2, 2) from μ = (1, −1).
    const z = densityPosteriorMean(gaussian([1, -1], [2, 0, 0, 0.5]), [3, 1], 0.5);
    expect(z[0]).toBeCloseTo(1 + 0.8 * 2, 6);
    expect(z[1]).toBeCloseTo(-1 + 0.5 * 2, 6);
  });

  it('one correlated Gaussian: μ + Σ(Σ + s²I)⁻¹(z̃ − μ), worked by hand', () => {
    // Σ = [[1, 0.5], [0.5, 1]], s² = 1: Σ + I = [[2, 0.5], [0.5, 2]], its inverse [[2, −0.5], [−0.5, 2]] / 3.75.
    // (Σ + I)⁻¹(1, 0) = (0.5333…, −0.1333…); Σ·that = (0.4666…, 0.1333…).
    const z = densityPosteriorMean(gaussian([0, 0], [1, 0.5, 0.5, 1]), [1, 0], 1);
    expect(z[0]).toBeCloseTo(0.5333333 - 0.5 * 0.1333333, 6);
    expect(z[1]).toBeCloseTo(0.5 * 0.5333333 - 0.1333333, 6);
  });

  it('no noise leaves the latent where it is; the result never lies at a lower density', () => {
    const density = gaussian([1, 2, 3], [1, 0.3, 0, 0.3, 1, 0.2, 0, 0.2, 0.5]);
    expect(Array.from(densityPosteriorMean(density, [0, 0, 0], 0))).toEqual([0, 0, 0]);
    for (const noise of [0.01, 0.3, 3]) {
      const z = densityPosteriorMean(density, [0, 0, 0], noise);
      expect(densityLogPdf(density, z)).toBeGreaterThan(densityLogPdf(density, [0, 0, 0]));
    }
  });

  it('a mixture weighs each component by its responsibility for the noisy latent', () => {
    const density: LatentDensity = {
      dim: 1,
      weights: Float64Array.of(0.5, 0.5),
      means: Float64Array.of(-10, 10),
      covariances: Float64Array.of(1, 1),
      heldOutLogLikelihood: null,
      fittedOn: 100,
    };
    // Near +10 only the second component counts: 10 + 1/(1 + 1)·(8 − 10) = 9.
    expect(densityPosteriorMean(density, [8], 1)[0]).toBeCloseTo(9, 6);
    // Halfway, both count equally: the result is their average, 0.
    expect(densityPosteriorMean(density, [0], 1)[0]).toBeCloseTo(0, 6);
  });

  it('refuses a latent of another size', () => {
    expect(() => densityPosteriorMean(gaussian([0, 0], [1, 0, 0, 1]), [1, 2, 3], 1)).toThrow(/size 3 for a density of size 2/);
  });
});
