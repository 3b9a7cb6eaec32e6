import { describe, expect, it } from 'vitest';
import { seededNormal } from '../../../shared/latent-density';
import { densityGrid, enclosingLevels } from '../../../shared/view-density';
import { contourLines } from './contour-lines';
import type { Layout } from '../layout';
import { DensityState, densityLayer, floorOf } from './density.svelte';

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

describe('past the data', () => {
  const n = 4000;
  const layout = { count: n, view: gaussian(n) } as unknown as Layout;

  it('while the layer is on, a click outside the 99 % contour is past the data, one inside is not', () => {
    const density = new DensityState();
    density.noteClick(layout, [4, 4, 0]);
    expect(density.pastData).toBeNull();
    density.toggle();
    density.noteClick(layout, [4, 4, 0]);
    expect(density.pastData).toBe(true);
    density.noteClick(layout, [0.3, -0.2, 0]);
    expect(density.pastData).toBe(false);
    density.clearClick();
    expect(density.pastData).toBeNull();
    density.noteClick(layout, [4, 4, 0]);
    density.toggle();
    expect(density.pastData).toBeNull();
  });

  it('the layer is computed once per layout', () => {
    const density = new DensityState();
    expect(density.layerOf(layout)).toBe(density.layerOf(layout));
    expect(density.layerOf({ count: 3, view: new Float32Array(9) } as unknown as Layout)).toBeNull();
  });
});
