import { describe, expect, it } from 'vitest';
import { evenSample, trustworthiness } from './trustworthiness';
import { gaussian } from '../figures/figure-grids';

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

  it('matches a hand-computed case', () => {
    // Latent x = [0, 1, 3, 7]; the view swaps the places of points 1 and 2: y = [0, 3, 1, 7]; k = 1.
    // Each point's view neighbour is its second-nearest latent neighbour (rank 2):
    //   0 → 2 (latent order 1, 2, 3), 1 → 2 (order 0, 2, 3), 2 → 0 (order 1, 0, 3), 3 → 1 (order 2, 1, 0)
    // so the penalty is 4 × (2 − 1) = 4 and T = 1 − 2/(4·1·(2·4 − 3 − 1)) · 4 = 0.5.
    expect(trustworthiness([0, 1, 3, 7], 1, [0, 3, 1, 7], 1, evenSample(4, 4), 1)).toBeCloseTo(0.5, 12);
    // Swapping only the two far points 2 and 3 (y = [0, 1, 7, 3]): 0 → 1 and 1 → 0 (rank 1, no penalty);
    // 2 → 3 (from x = 3 the order is 1, 0, 3: rank 3, penalty 2); 3 → 1 (from x = 7: 2, 1, 0: rank 2,
    // penalty 1). T = 1 − 2/16 · 3 = 0.625.
    expect(trustworthiness([0, 1, 3, 7], 1, [0, 1, 7, 3], 1, evenSample(4, 4), 1)).toBeCloseTo(0.625, 12);
  });

  it('samples evenly and refuses samples too small for k', () => {
    expect(Array.from(evenSample(10, 4))).toEqual([0, 2, 5, 7]);
    expect(evenSample(3, 10).length).toBe(3);
    expect(trustworthiness(latents, d, latents, d, evenSample(n, 15), 10)).toBeNaN();
  });
});
