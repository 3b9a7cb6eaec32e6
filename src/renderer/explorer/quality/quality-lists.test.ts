import { describe, expect, it } from 'vitest';
import { seededNormal, type LatentDensity } from '../../../shared/latent-density';
import { knnDistances, largest, outliers, pixelDistance, plainDensity } from './quality-lists';

function cloud(n: number, d: number): Float32Array {
  const normal = seededNormal(6);
  return Float32Array.from({ length: n * d }, () => normal());
}

describe('quality lists', () => {
  it('largest: the worst values first', () => {
    expect(largest(Float32Array.from([3, 9, 1, 7]), 4, 3)).toEqual([
      { index: 1, value: 9 },
      { index: 3, value: 7 },
      { index: 0, value: 3 },
    ]);
  });

  it('outliers by k-NN distance find planted far points', () => {
    const n = 3000;
    const d = 5;
    const mu = cloud(n, d);
    const planted = [17, 1234, 2999];
    planted.forEach((i, k) => mu.fill(8 + 3 * k, i * d, (i + 1) * d));
    const top = outliers(mu, n, d, null, 3).map((r) => r.index);
    expect(top.sort((a, b) => a - b)).toEqual(planted);
    // A point's own entry in the sample does not count as its neighbour.
    const copies = Float32Array.from([0, 0, 0, 0, 5, 5]);
    expect(knnDistances(copies, 3, 2, 1, 3)[2]).toBeCloseTo(Math.hypot(5, 5), 5);
  });

  it('outliers by the fitted density: lowest log-density first', () => {
    const d = 2;
    const density: LatentDensity = {
      dim: d,
      weights: Float64Array.from([1]),
      means: Float64Array.from([0, 0]),
      covariances: Float64Array.from([1, 0, 0, 1]),
      heldOutLogLikelihood: null,
      fittedOn: 10,
    };
    const mu = Float32Array.from([0, 0, 3, 0, 0.5, 0.5, -6, 1]);
    const ranked = outliers(mu, 4, d, density, 2);
    expect(ranked.map((r) => r.index)).toEqual([3, 1]);
    expect(ranked[0].value).toBeCloseTo(-Math.log(2 * Math.PI) - 37 / 2, 6);
  });

  it('pixel distance: RMS in levels, null for different sizes', () => {
    expect(pixelDistance(Uint8Array.from([0, 0, 0, 0]), Uint8Array.from([10, 10, 10, 10]))).toBe(10);
    expect(pixelDistance(Uint8Array.from([0]), Uint8Array.from([1, 2]))).toBeNull();
  });
});

describe('plainDensity', () => {
  it('copies a proxied density (as reactive state holds it) into one a worker message can carry', () => {
    const density: LatentDensity = {
      dim: 2,
      weights: Float64Array.of(1),
      means: Float64Array.of(0.5, -0.5),
      covariances: Float64Array.of(1, 0.2, 0.2, 2),
      heldOutLogLikelihood: -3.5,
      fittedOn: 100,
    };
    const proxied = new Proxy(density, {});
    expect(() => structuredClone(proxied)).toThrow();
    expect(structuredClone(plainDensity(proxied))).toEqual(density);
    expect(plainDensity(undefined)).toBeNull();
  });
});
