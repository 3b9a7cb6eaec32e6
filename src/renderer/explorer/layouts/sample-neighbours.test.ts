import { describe, expect, it } from 'vitest';
import { nearestSampled } from './sample-neighbours';

function cloud(count: number, d: number, seed: number): Float32Array {
  let s = seed;
  const rand = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
  // Ten blobs, like classes in a latent space.
  const centres = Array.from({ length: 10 }, () => Array.from({ length: d }, () => 6 * rand()));
  const mu = new Float32Array(count * d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mu[i * d + j] = centres[i % 10][j] + rand();
  return mu;
}

function bruteForce(mu: Float32Array, i: number, d: number, sample: Int32Array, k: number): number[] {
  const dist = Array.from(sample, (p, s) => {
    let t = 0;
    for (let j = 0; j < d; j++) t += (mu[i * d + j] - mu[p * d + j]) ** 2;
    return [t, s] as const;
  });
  return dist
    .sort((a, b) => a[0] - b[0])
    .slice(0, k)
    .map((x) => x[1]);
}

describe('nearestSampled', () => {
  it('is exact below the brute-force size, and a sampled point is its own nearest', () => {
    const d = 5;
    const mu = cloud(600, d, 1);
    const sample = Int32Array.from({ length: 200 }, (_, i) => i * 3);
    const { knn, distances } = nearestSampled(mu, 600, d, sample, 6);
    for (const i of [0, 1, 77, 599]) expect(Array.from(knn.subarray(i * 6, i * 6 + 6))).toEqual(bruteForce(mu, i, d, sample, 6));
    expect(knn[3 * 6]).toBe(1);
    expect(distances[3 * 6]).toBe(0);
  });

  it('finds nearly all true neighbours through the inverted file for a large sample', () => {
    const d = 8;
    const count = 12_000;
    const mu = cloud(count, d, 2);
    const sample = Int32Array.from({ length: 4000 }, (_, i) => i * 3);
    const { knn } = nearestSampled(mu, count, d, sample, 6);
    let found = 0;
    let total = 0;
    for (let i = 1; i < count; i += 97) {
      const truth = new Set(bruteForce(mu, i, d, sample, 6));
      for (const s of knn.subarray(i * 6, i * 6 + 6)) if (truth.has(s)) found++;
      total += 6;
    }
    expect(found / total).toBeGreaterThan(0.9);
    for (let s = 0; s < 4000; s += 401) expect(knn[sample[s] * 6]).toBe(s);
  });
});
