import { describe, expect, it } from 'vitest';
import { PointIndex } from '../../../src/shared/point-index';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A clustered cloud like a latent space: Gaussian blobs around a few centres. */
function cloud(n: number, seed: number, flat = false): Float32Array {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 7;
    out[i * 3] = Math.cos(c) * 2 + gauss() * 0.5;
    out[i * 3 + 1] = Math.sin(c) * 2 + gauss() * 0.5;
    out[i * 3 + 2] = flat ? 0 : (c - 3) * 0.4 + gauss() * 0.5;
  }
  return out;
}

function bruteRay(p: Float32Array, n: number, o: number[], dir: number[], r0: number, k: number): number {
  const len = Math.hypot(dir[0], dir[1], dir[2]);
  const u = dir.map((v) => v / len);
  let best = -1;
  let bestDepth = Infinity;
  for (let i = 0; i < n; i++) {
    const q = [p[i * 3] - o[0], p[i * 3 + 1] - o[1], p[i * 3 + 2] - o[2]];
    const depth = q[0] * u[0] + q[1] * u[1] + q[2] * u[2];
    if (depth <= 0) continue;
    const off2 = q[0] ** 2 + q[1] ** 2 + q[2] ** 2 - depth * depth;
    const radius = r0 + k * depth;
    if (off2 <= radius * radius && depth < bestDepth) {
      best = i;
      bestDepth = depth;
    }
  }
  return best;
}

describe('PointIndex', () => {
  for (const flat of [false, true]) {
    it(`raycast finds the front-most point in the cone, as a scan of every point does${flat ? ' (a flat cloud)' : ''}`, () => {
      const n = 20_000;
      const p = cloud(n, 3, flat);
      const index = new PointIndex(p, n);
      const r = rng(9);
      let hits = 0;
      for (let q = 0; q < 150; q++) {
        // A camera around the cloud looking roughly at it, with a pixel-sized cone.
        const theta = r() * Math.PI * 2;
        const phi = (r() - 0.5) * 2;
        const o = [Math.cos(theta) * 8, phi * 4, Math.sin(theta) * 8];
        const target = [(r() - 0.5) * 6, (r() - 0.5) * 6, (r() - 0.5) * 3];
        const dir = [target[0] - o[0], target[1] - o[1], target[2] - o[2]];
        const r0 = r() < 0.5 ? 0 : 0.01;
        const k = 0.002 + r() * 0.01;
        const expected = bruteRay(p, n, o, dir, r0, k);
        const got = index.raycast(o, dir, r0, k);
        expect(got?.index ?? -1).toBe(expected);
        if (expected >= 0) hits++;
      }
      expect(hits).toBeGreaterThan(25);
    });
  }

  it('nearest returns the k nearest points, nearest first, as a scan does', () => {
    const n = 10_000;
    const p = cloud(n, 5);
    const index = new PointIndex(p, n);
    const r = rng(11);
    for (let q = 0; q < 100; q++) {
      // Inside and far outside the cloud.
      const spot = [(r() - 0.5) * (q % 5 === 0 ? 30 : 6), (r() - 0.5) * 6, (r() - 0.5) * 6];
      const k = 1 + (q % 9);
      const all = Array.from({ length: n }, (_, i) => ({ i, d: Math.hypot(p[i * 3] - spot[0], p[i * 3 + 1] - spot[1], p[i * 3 + 2] - spot[2]) })).sort(
        (a, b) => a.d - b.d,
      );
      const got = index.nearest(spot, k);
      expect(Array.from(got.distances)).toEqual(all.slice(0, k).map((e) => Math.fround(e.d)));
    }
  });

  it('handles empty clouds and a single point', () => {
    expect(new PointIndex(new Float32Array(0), 0).raycast([0, 0, 5], [0, 0, -1], 0.1, 0)).toBeNull();
    const one = new PointIndex(new Float32Array([1, 2, 3]), 1);
    expect(one.raycast([1, 2, 10], [0, 0, -1], 0.01, 0)?.index).toBe(0);
    expect(one.raycast([1, 2.5, 10], [0, 0, -1], 0.01, 0)).toBeNull();
    expect(Array.from(one.nearest([0, 0, 0], 3).ids)).toEqual([0]);
  });
});
