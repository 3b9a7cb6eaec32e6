import { describe, expect, it } from 'vitest';
import { seededNormal } from '../../../shared/latent-density';
import { densityGrid, enclosingLevels } from '../../../shared/view-density';
import { contourLines } from './contour-lines';
import { densityLayer, floorOf } from './density.svelte';

/** n points of N(0, I) in 2D, as a layout's view (z = 0). */
function gaussian(n: number): Float32Array {
  const normal = seededNormal(1);
  const v = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) [v[i * 3], v[i * 3 + 1]] = [normal(), normal()];
  return v;
}

describe('density contours', () => {
  it('the contour that encloses a share p of N(0, I) is the circle of radius √(−2 ln(1 − p))', () => {
    const n = 20000;
    const view = gaussian(n);
    const grid = densityGrid(view, n, 3);
    const [level] = enclosingLevels(grid, view, n, 3, [0.9]);
    const lines = contourLines(grid, [level], 0.5);
    expect(lines.segmentsPerLevel).toHaveLength(1);
    expect(lines.segmentsPerLevel[0]).toBeGreaterThan(20);
    // The level is the one 90 % of the points lie above: the circle holding 90 % of N(0, I), within 8 % (binning, noise).
    const expected = Math.sqrt(-2 * Math.log(0.1));
    for (let i = 0; i < lines.positions.length; i += 3) {
      expect(Math.hypot(lines.positions[i], lines.positions[i + 1]) / expected).toBeGreaterThan(0.92);
      expect(Math.hypot(lines.positions[i], lines.positions[i + 1]) / expected).toBeLessThan(1.08);
      expect(lines.positions[i + 2]).toBe(0.5);
    }
    expect(lines.colors.length).toBe(lines.positions.length);
  });

  it('the layer: four levels, outermost lowest, on the floor under a 3D cloud', () => {
    const n = 4000;
    const view = gaussian(n);
    for (let i = 0; i < n; i++) view[i * 3 + 2] = (i % 10) / 10;
    const layer = densityLayer(view, n);
    expect(layer.levels).toHaveLength(4);
    for (let k = 1; k < 4; k++) expect(layer.levels[k]).toBeGreaterThan(layer.levels[k - 1]);
    expect(layer.lines.segmentsPerLevel.every((s) => s > 0)).toBe(true);
    expect(floorOf(view, n)).toBeCloseTo(-0.045, 5);
    expect(layer.lines.positions[2]).toBeCloseTo(-0.045, 5);
    expect(floorOf(gaussian(10), 10)).toBe(0);
  });
});
