import { describe, expect, it } from 'vitest';
import { seededNormal, seededUniform } from '../../../src/shared/latent-density';
import { closestPairs } from '../../../src/shared/near-duplicates';

describe('closestPairs', () => {
  it('finds planted copies and near-copies among 5,000 random means, closest first', () => {
    const n = 5000;
    const d = 16;
    const normal = seededNormal(5);
    const values = Float32Array.from({ length: n * d }, () => normal());
    const pick = seededUniform(9);
    // 10 planted pairs: 5 exact copies, 5 within 1e-3 (random points are ~5.6 apart).
    const planted: [number, number][] = [];
    for (let p = 0; p < 10; p++) {
      const a = Math.floor(pick() * n);
      const b = Math.floor(pick() * n);
      if (a === b || planted.some(([x, y]) => [x, y].includes(a) || [x, y].includes(b))) {
        p--;
        continue;
      }
      for (let k = 0; k < d; k++) values[b * d + k] = values[a * d + k] + (p < 5 ? 0 : 1e-3 * normal());
      planted.push(a < b ? [a, b] : [b, a]);
    }
    const pairs = closestPairs(values, n, d, { pairs: 20 });
    const top = pairs.slice(0, 10).map((p) => `${p.a},${p.b}`);
    expect(top.sort()).toEqual(planted.map(([a, b]) => `${a},${b}`).sort());
    expect(pairs.slice(0, 5).every((p) => p.distance === 0)).toBe(true);
    for (let i = 1; i < pairs.length; i++) expect(pairs[i].distance).toBeGreaterThanOrEqual(pairs[i - 1].distance);
    // Past the planted ones, real random pairs are far apart.
    expect(pairs[10].distance).toBeGreaterThan(0.1);
  });

  it('agrees with brute force on a small set', () => {
    const n = 300;
    const d = 4;
    const normal = seededNormal(2);
    const values = Float32Array.from({ length: n * d }, () => normal());
    const all: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (values[i * d + k] - values[j * d + k]) ** 2;
        all.push(Math.sqrt(s));
      }
    all.sort((a, b) => a - b);
    const found = closestPairs(values, n, d, { pairs: 5 }).map((p) => p.distance);
    found.forEach((v, i) => expect(v).toBeCloseTo(all[i], 5));
  });
});
