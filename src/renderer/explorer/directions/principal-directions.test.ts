import { PCA } from 'ml-pca';
import { describe, expect, it } from 'vitest';
import { customAxisProjection } from './custom-axis';
import { nearestRows, principalDirections, walk } from './principal-directions';

/** A repeatable standard normal (Box–Muller over a linear congruential generator). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const d = 4;
/** The known principal direction of the far cloud: (1, 2, 0, −2)/3. */
const known = [1 / 3, 2 / 3, 0, -2 / 3];
/** Two clouds: near the origin stretched along the first coordinate, near (20, 20, 20, 20) along `known` (σ = 3, noise 0.05). */
function twoClouds(): { mu: Float32Array; count: number } {
  const next = normals(7);
  const count = 400;
  const mu = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    const far = i % 2 === 1;
    const along = 3 * next();
    for (let j = 0; j < d; j++) {
      const noise = 0.05 * next();
      mu[i * d + j] = far ? 20 + along * known[j] + noise : (j === 0 ? along : 0) + noise;
    }
  }
  return { mu, count };
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, x, j) => s + x * b[j], 0);

describe('local principal directions', () => {
  it('finds the known direction of the cloud around the point, not the global one', () => {
    const { mu, count } = twoClouds();
    const rows = nearestRows(mu, d, count, [20, 20, 20, 20], 50);
    expect(rows.length).toBe(50);
    rows.forEach((r) => expect(r % 2).toBe(1));
    const local = principalDirections(mu, d, count, rows);
    expect(Math.abs(dot(local.axes[0], known))).toBeGreaterThan(0.99);
    const near = principalDirections(mu, d, count, nearestRows(mu, d, count, [0, 0, 0, 0], 50));
    expect(Math.abs(near.axes[0][0])).toBeGreaterThan(0.99);
  });

  it('agrees with ml-pca on the same points (axes up to sign, standard deviations)', () => {
    const { mu, count } = twoClouds();
    const rows = nearestRows(mu, d, count, [20, 20, 20, 20], 50);
    const local = principalDirections(mu, d, count, rows);
    const data = Array.from(rows, (r) => Array.from(mu.subarray(r * d, r * d + d)));
    const reference = new PCA(data, { center: true, scale: false });
    const vectors = reference.getEigenvectors();
    const sd = reference.getStandardDeviations();
    for (let k = 0; k < d; k++) {
      expect(Math.abs(dot(local.axes[k], vectors.getColumn(k)))).toBeCloseTo(1, 6);
      expect(local.sigmas[k]).toBeCloseTo(sd[k], 6);
    }
  });

  it('walks z0 + t·σ·v', () => {
    const { mu, count } = twoClouds();
    const dirs = principalDirections(mu, d, count);
    const z0 = [1, 2, 3, 4];
    const z = walk(z0, dirs, [0, 1.5]);
    for (let j = 0; j < d; j++) expect(z[j]).toBeCloseTo(z0[j] + 1.5 * dirs.sigmas[1] * dirs.axes[1][j], 5);
  });
});

describe('custom axis projection', () => {
  it('has orthonormal axes with x the chosen direction', () => {
    const { mu, count } = twoClouds();
    const global = principalDirections(mu, d, count);
    const direction = [3, -1, 2, 0.5];
    const p = customAxisProjection(direction, global);
    if ('error' in p) throw new Error(p.error);
    const length = Math.hypot(...direction);
    p.axes[0].forEach((x, j) => expect(x).toBeCloseTo(direction[j] / length, 10));
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(dot(p.axes[a], p.axes[b])).toBeCloseTo(a === b ? 1 : 0, 10);
    // y is the top principal axis with its x part taken out.
    const top = global.axes[0];
    const residual = top.map((v, j) => v - dot(top, p.axes[0]) * p.axes[0][j]);
    expect(Math.abs(dot(p.axes[1], residual)) / Math.hypot(...residual)).toBeCloseTo(1, 10);
    Array.from(global.mean).forEach((m, j) => expect(p.mean[j]).toBeCloseTo(m, 10));
  });

  it('skips a principal axis parallel to the direction', () => {
    const { mu, count } = twoClouds();
    const global = principalDirections(mu, d, count);
    const p = customAxisProjection(global.axes[0], global);
    if ('error' in p) throw new Error(p.error);
    expect(Math.abs(dot(p.axes[1], global.axes[1]))).toBeCloseTo(1, 8);
  });

  it('refuses a zero direction or one of another size', () => {
    const { mu, count } = twoClouds();
    const global = principalDirections(mu, d, count);
    expect(customAxisProjection([0, 0, 0, 0], global)).toEqual({ error: expect.stringContaining('zero') });
    expect(customAxisProjection([1, 2], global)).toEqual({ error: expect.stringContaining('2 numbers') });
  });
});
