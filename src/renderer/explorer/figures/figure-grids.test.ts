import { describe, expect, it } from 'vitest';
import {
  MAX_DIMENSION_ROWS,
  gaussian,
  principalDirections,
  priorGrid,
  symmetricEigen,
  traversalDirections,
  traversalGrid,
  traversalSteps,
  viewPlaneSpots,
} from './figure-grids';

describe('VAE figure grids', () => {
  it('a traversal row moves one dimension from −3 to +3 around z, the others fixed', () => {
    const z = Float32Array.from([0.5, -1]);
    const { directions, names } = traversalDirections(2, null, 0);
    const g = traversalGrid(z, directions, names, 7);
    expect([g.rows, g.cols, g.latentDim]).toEqual([2, 7, 2]);
    expect(traversalSteps(7)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const cell = (r: number, c: number): number[] => Array.from(g.z.subarray((r * 7 + c) * 2, (r * 7 + c + 1) * 2));
    expect(cell(0, 0)).toEqual([-2.5, -1]);
    expect(cell(0, 6)).toEqual([3.5, -1]);
    expect(cell(1, 3)).toEqual([0.5, -1]);
    expect(cell(1, 0)).toEqual([0.5, -4]);
    expect(g.colNames[0]).toBe('−3.00σ');
  });

  it('d > 12: the rows are the top principal directions of μ, largest variance first', () => {
    const d = 16;
    const count = 400;
    const next = gaussian(7);
    // Variance 9 along dimension 3, 4 along dimension 10, 1 elsewhere.
    const mu = Float32Array.from({ length: count * d }, (_, i) => next() * (i % d === 3 ? 3 : i % d === 10 ? 2 : 1));
    const { directions, names } = traversalDirections(d, mu, count);
    expect(directions.length).toBe(MAX_DIMENSION_ROWS);
    expect(names[0]).toBe('PC1');
    expect(Math.abs(directions[0][3])).toBeGreaterThan(0.95);
    expect(Math.abs(directions[1][10])).toBeGreaterThan(0.9);
    const { variances } = principalDirections(mu, count, d, 3);
    expect(variances[0]).toBeGreaterThan(variances[1]);
    expect(variances[0]).toBeGreaterThan(6);
  });

  it('symmetric eigen-decomposition: A v = λ v', () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const { values, vectors } = symmetricEigen(a, 3);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 3; i++) {
        const av = a[i * 3] * vectors[k][0] + a[i * 3 + 1] * vectors[k][1] + a[i * 3 + 2] * vectors[k][2];
        expect(av).toBeCloseTo(values[k] * vectors[k][i], 9);
      }
    }
    expect(values[0]).toBeGreaterThan(values[2]);
  });

  it('prior samples are N(0, 1) and the same for the same seed', () => {
    const { grid: g, prior } = priorGrid(null, 4, 50, 50, 3);
    expect(prior).toBe('normal');
    const mean = g.z.reduce((s, v) => s + v, 0) / g.z.length;
    const variance = g.z.reduce((s, v) => s + (v - mean) ** 2, 0) / g.z.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    expect(Array.from(priorGrid(null, 4, 2, 2, 3).grid.z)).toEqual(Array.from(g.z.subarray(0, 16)));
    expect(Array.from(priorGrid(null, 4, 2, 2, 4).grid.z)).not.toEqual(Array.from(g.z.subarray(0, 16)));
  });

  it("samples the model's fitted density when it has one, and N(0, I) when asked", () => {
    // One Gaussian far from the origin, with variance 0.25: its samples sit around (10, −10).
    const density = {
      dim: 2,
      weights: Float64Array.of(1),
      means: Float64Array.of(10, -10),
      covariances: Float64Array.of(0.25, 0, 0, 0.25),
      heldOutLogLikelihood: null,
      fittedOn: 50,
    };
    const drawn = priorGrid(density, 2, 20, 20, 5);
    expect(drawn.prior).toBe('density');
    const meanOf = (z: Float32Array, j: number): number => z.filter((_, i) => i % 2 === j).reduce((s, v) => s + v, 0) / (z.length / 2);
    expect(meanOf(drawn.grid.z, 0)).toBeCloseTo(10, 0);
    expect(meanOf(drawn.grid.z, 1)).toBeCloseTo(-10, 0);
    const normal = priorGrid(density, 2, 20, 20, 5, 'normal');
    expect(normal.prior).toBe('normal');
    expect(Math.abs(meanOf(normal.grid.z, 0))).toBeLessThan(0.3);
  });

  it('the manifold spots cover a square of the plane facing the camera, top row first', () => {
    const spots = viewPlaneSpots([0, 0, 10], [1, 2, 0], 2, 3);
    expect(spots.length).toBe(9);
    const forward = [1, 2, -10];
    for (const p of spots) {
      const rel = [p[0] - 1, p[1] - 2, p[2]];
      expect(rel[0] * forward[0] + rel[1] * forward[1] + rel[2] * forward[2]).toBeCloseTo(0, 9);
    }
    expect(spots[4]).toEqual([1, 2, 0]);
    expect(spots[0][1]).toBeGreaterThan(spots[6][1]);
    expect(spots[2][0]).toBeGreaterThan(spots[0][0]);
    const side = Math.hypot(...[0, 1, 2].map((a) => spots[2][a] - spots[0][a]));
    expect(side).toBeCloseTo(4, 9);
  });
});
