import { describe, expect, it } from 'vitest';
import { seededNormal, seededUniform } from '../../../src/shared/latent-density';
import { densityAt, densityGrid, enclosingLevels } from '../../../src/shared/view-density';

/** A known mixture in 2D: 0.6 · N((−2, 0), 0.6² I) + 0.4 · N((2, 1), 0.4² I). */
const MIX = [
  { w: 0.6, m: [-2, 0], s: 0.6 },
  { w: 0.4, m: [2, 1], s: 0.4 },
];

/** The mixture's density, each component widened by a Gaussian kernel of σ = h (what a KDE with that bandwidth estimates). */
function pdf(x: number, y: number, h = 0): number {
  return MIX.reduce((p, c) => {
    const v = c.s * c.s + h * h;
    return p + (c.w / (2 * Math.PI * v)) * Math.exp(-((x - c.m[0]) ** 2 + (y - c.m[1]) ** 2) / (2 * v));
  }, 0);
}

/** n points drawn from the mixture, x, y, 0 each (a layout's view). */
function draw(n: number, seed: number): Float32Array {
  const normal = seededNormal(seed);
  const uniform = seededUniform(seed + 1);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = uniform() < MIX[0].w ? MIX[0] : MIX[1];
    out[i * 3] = c.m[0] + c.s * normal();
    out[i * 3 + 1] = c.m[1] + c.s * normal();
  }
  return out;
}

describe('view density', () => {
  const n = 20000;
  const points = draw(n, 3);
  const grid = densityGrid(points, n, 3);

  it('integrates to 1 and matches the mixture it was drawn from, widened by its kernel', () => {
    const h = grid.bandwidth;
    let mass = 0;
    let l1 = 0;
    let l1Unwidened = 0;
    for (let y = 0; y < grid.height; y++)
      for (let x = 0; x < grid.width; x++) {
        const v = grid.values[y * grid.width + x];
        const [vx, vy] = [grid.x0 + x * grid.cell, grid.y0 + y * grid.cell];
        mass += v * grid.cell ** 2;
        l1 += Math.abs(v - pdf(vx, vy, h)) * grid.cell ** 2;
        l1Unwidened += Math.abs(v - pdf(vx, vy)) * grid.cell ** 2;
      }
    expect(mass).toBeCloseTo(1, 2);
    // What a KDE estimates is the density convolved with its kernel: within 4 % (L1, sampling noise and binning).
    expect(l1).toBeLessThan(0.04);
    expect(l1Unwidened).toBeGreaterThan(l1);
    // The lighter component is narrower, so denser at its mean: 0.4/0.16 against 0.6/0.36.
    expect(densityAt(grid, 2, 1)).toBeGreaterThan(densityAt(grid, -2, 0));
    expect(densityAt(grid, 2, 1) / pdf(2, 1, h)).toBeCloseTo(1, 1);
  });

  it('gives the levels that enclose a share of fresh points from the same mixture', () => {
    const levels = enclosingLevels(grid, points, n, 3, [0.99, 0.9, 0.5]);
    expect(levels[0]).toBeLessThan(levels[1]);
    expect(levels[1]).toBeLessThan(levels[2]);
    const fresh = draw(5000, 11);
    for (const [share, level] of [
      [0.99, levels[0]],
      [0.9, levels[1]],
      [0.5, levels[2]],
    ]) {
      let inside = 0;
      for (let i = 0; i < 5000; i++) if (densityAt(grid, fresh[i * 3], fresh[i * 3 + 1]) >= level) inside++;
      expect(Math.abs(inside / 5000 - share)).toBeLessThan(0.03);
    }
  });

  it('is 0 far past the data, and below the outer level between the components', () => {
    const [outer] = enclosingLevels(grid, points, n, 3, [0.99]);
    expect(densityAt(grid, 40, -40)).toBe(0);
    expect(densityAt(grid, 0, 4)).toBeLessThan(outer);
  });

  it('refuses fewer than 2 points', () => {
    expect(() => densityGrid(new Float32Array(3), 1)).toThrow(/at least 2/);
  });
});
