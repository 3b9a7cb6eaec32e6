import { describe, expect, it } from 'vitest';
import { evenSample, trustworthiness } from '../../../src/renderer/state/trustworthiness';
import { gaussian } from '../../../src/renderer/state/figure-grids';

describe('trustworthiness', () => {
  const n = 300;
  const d = 5;
  const next = gaussian(11);
  const latents = Float32Array.from({ length: n * d }, next);
  const sample = evenSample(n, 200);

  it('is 1 for a view that keeps every neighbourhood (a scaled copy of three coordinates of a 3-d space)', () => {
    const three = Float32Array.from({ length: n * 3 }, next);
    const view = three.map((v) => 2 * v);
    expect(trustworthiness(three, 3, view, 3, sample)).toBeCloseTo(1, 12);
  });

  it('is about 0.5 for a random layout and in between for a projection that drops dimensions', () => {
    const random = Float32Array.from({ length: n * 3 }, next);
    const t = trustworthiness(latents, d, random, 3, sample);
    expect(t).toBeGreaterThan(0.4);
    expect(t).toBeLessThan(0.6);
    const dropped = Float32Array.from({ length: n * 3 }, (_, i) => latents[Math.floor(i / 3) * d + (i % 3)]);
    const partial = trustworthiness(latents, d, dropped, 3, sample);
    expect(partial).toBeGreaterThan(t + 0.1);
    expect(partial).toBeLessThan(1);
  });

  it('samples evenly and refuses samples too small for k', () => {
    expect(Array.from(evenSample(10, 4))).toEqual([0, 2, 5, 7]);
    expect(evenSample(3, 10).length).toBe(3);
    expect(trustworthiness(latents, d, latents, d, evenSample(n, 15), 10)).toBeNaN();
  });
});
