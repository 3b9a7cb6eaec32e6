import { describe, expect, it } from 'vitest';
import { densityLogPdf, sampleDensity, type LatentDensity } from '../../../shared/latent-density';
import { DensityWalk, densityScore, gaussianOfMeans, toWhite, turnTowards, whitening } from './density-walk';
import { choleskyFactor } from '../../../shared/latent-density';

/** An anisotropic, correlated Gaussian in 4 dimensions, off the origin. */
function gaussian(): LatentDensity {
  const d = 4;
  const cov = [4, 1, 0, 0, 1, 2, 0.5, 0, 0, 0.5, 1, 0, 0, 0, 0, 0.25];
  return {
    dim: d,
    weights: Float64Array.of(1),
    means: Float64Array.of(3, -2, 1, 0),
    covariances: Float64Array.from(cov),
    heldOutLogLikelihood: null,
    fittedOn: 0,
  };
}

/** Two well-separated round components in 3 dimensions. */
function mixture(): LatentDensity {
  const d = 3;
  const eye = (s: number): number[] => [s, 0, 0, 0, s, 0, 0, 0, s];
  return {
    dim: d,
    weights: Float64Array.of(0.4, 0.6),
    means: Float64Array.of(-4, 0, 0, 4, 1, 0),
    covariances: Float64Array.from([...eye(1), ...eye(0.5)]),
    heldOutLogLikelihood: null,
    fittedOn: 0,
  };
}

/** The log-density above which 99 % of the density's mass lies (the 1 % quantile of log p on samples). */
function region99(density: LatentDensity): number {
  const n = 20_000;
  const samples = sampleDensity(density, n, 7);
  const logs = Array.from({ length: n }, (_, i) => densityLogPdf(density, samples.subarray(i * density.dim, (i + 1) * density.dim))).sort((a, b) => a - b);
  return logs[Math.floor(0.01 * n)];
}

function insideShare(density: LatentDensity, steer: number, steps: number, step: number): number {
  const threshold = region99(density);
  const walk = new DensityWalk(density, 11, { steer });
  let inside = 0;
  for (let t = 0; t < steps; t++) if (densityLogPdf(density, walk.next(step)) >= threshold) inside++;
  return inside / steps;
}

describe('DensityWalk', () => {
  it('is deterministic for a seed, and another seed walks elsewhere', () => {
    const path = (seed: number): number[] => {
      const w = new DensityWalk(gaussian(), seed);
      return Array.from({ length: 50 }, () => Array.from(w.next(0.1))).flat();
    };
    expect(path(3)).toEqual(path(3));
    expect(path(4)).not.toEqual(path(3));
  });

  it.each([
    ['a correlated Gaussian', gaussian()],
    ['a two-component mixture', mixture()],
  ])('on %s stays inside the 99-percent region far more often than an unsteered walk', (_, density) => {
    const steered = insideShare(density, 1, 4000, 0.1);
    const unsteered = insideShare(density, 0, 4000, 0.1);
    expect(steered).toBeGreaterThan(0.9);
    expect(unsteered).toBeLessThan(0.3);
  });

  it('goes from one dense region to another when they are near (two overlapping components)', () => {
    const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const density: LatentDensity = {
      dim: 3,
      weights: Float64Array.of(0.4, 0.6),
      means: Float64Array.of(-2, 0, 0, 2, 0, 0),
      covariances: Float64Array.from([...eye, ...eye]),
      heldOutLogLikelihood: null,
      fittedOn: 0,
    };
    const walk = new DensityWalk(density, 11);
    let left = 0;
    const steps = 20_000;
    for (let t = 0; t < steps; t++) if (walk.next(0.1)[0] < 0) left++;
    expect(left / steps).toBeGreaterThan(0.15);
    expect(left / steps).toBeLessThan(0.85);
  });

  it('moves exactly `step` standard deviations a step, so the speed scales the step length', () => {
    const density = gaussian();
    const w = whitening(density);
    const lengths = (step: number): number[] => {
      const walk = new DensityWalk(density, 5);
      let y = toWhite(w, walk.position());
      return Array.from({ length: 40 }, () => {
        const next = toWhite(w, walk.next(step));
        const length = Math.hypot(...next.map((v, a) => v - y[a]));
        y = next;
        return length;
      });
    };
    for (const l of lengths(0.05)) expect(l).toBeCloseTo(0.05, 6);
    for (const l of lengths(0.2)) expect(l).toBeCloseTo(0.2, 6);
  });

  it('turns by at most its bound per step (a smooth path)', () => {
    const walk = new DensityWalk(mixture(), 9, { start: [8, 8, 8] });
    const step = 0.1;
    let previous = walk.heading();
    let largest = 0;
    for (let t = 0; t < 2000; t++) {
      walk.next(step);
      const u = walk.heading();
      largest = Math.max(
        largest,
        Math.acos(
          Math.min(
            1,
            u.reduce((s, x, i) => s + x * previous[i], 0),
          ),
        ),
      );
      previous = u;
    }
    expect(largest).toBeLessThanOrEqual(walk.maxTurn(step) + 1e-9);
    // Started far out, it had to turn hard at first: the bound was reached, not merely never approached.
    expect(largest).toBeGreaterThan(walk.maxTurn(step) * 0.9);
  });

  it('starts at the latent it is given', () => {
    const walk = new DensityWalk(gaussian(), 1, { start: [1, 2, 3, 4] });
    expect(Array.from(walk.position()).map((v) => Number(v.toFixed(5)))).toEqual([1, 2, 3, 4]);
  });
});

describe('the walk helpers', () => {
  it('the score of one Gaussian is −Σ⁻¹(z − μ)', () => {
    const density: LatentDensity = {
      dim: 2,
      weights: Float64Array.of(1),
      means: Float64Array.of(1, 2),
      covariances: Float64Array.of(2, 0, 0, 0.5),
      heldOutLogLikelihood: null,
      fittedOn: 0,
    };
    const g = densityScore(density, [choleskyFactor(density.covariances, 2)], [3, 1]);
    expect(g[0]).toBeCloseTo(-1, 10);
    expect(g[1]).toBeCloseTo(2, 10);
  });

  it('turnTowards turns by the bound at most, within the plane of the two', () => {
    const turned = turnTowards(Float64Array.of(1, 0, 0), Float64Array.of(0, 1, 0), 0.1, Float64Array.of(0, 0, 1));
    expect(turned[0]).toBeCloseTo(Math.cos(0.1), 10);
    expect(turned[1]).toBeCloseTo(Math.sin(0.1), 10);
    expect(turned[2]).toBeCloseTo(0, 10);
    // Straight behind: it turns to a side instead of stalling.
    const behind = turnTowards(Float64Array.of(1, 0, 0), Float64Array.of(-1, 0, 0), 0.1, Float64Array.of(0, 0, 1));
    expect(behind[0]).toBeCloseTo(Math.cos(0.1), 10);
    expect(Math.abs(behind[2])).toBeCloseTo(Math.sin(0.1), 10);
  });

  it('gaussianOfMeans recovers the mean and covariance of the points', () => {
    const mu = Float32Array.of(0, 0, 2, 0, 0, 2, 2, 2);
    const g = gaussianOfMeans(mu, 2, 4);
    expect(Array.from(g.means)).toEqual([1, 1]);
    expect(g.covariances[0]).toBeCloseTo(4 / 3 + (1e-3 * (8 / 3)) / 2, 8);
    expect(g.covariances[1]).toBeCloseTo(0, 10);
  });
});
