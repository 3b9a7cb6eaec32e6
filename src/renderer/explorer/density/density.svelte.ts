/**
 * The density layer: contours of the points' density in the current view's x–y plane (the view
 * itself in 2D, a floor under the cloud in 3D), at the levels that enclose 99, 90, 70 and 40 % of the
 * points; and, while it is on, whether the last clicked spot lies past the data (outside the 99 % contour).
 */
import { densityAt, densityGrid, enclosingLevels, type DensityGrid } from '../../../shared/view-density';
import type { Vec3 } from '../../scene/types';
import type { Layout } from '../layout';
import { contourLines, type ContourLines } from './contour-lines';

/** The shares of the points the contours enclose, the outermost first. */
export const DENSITY_SHARES = [0.99, 0.9, 0.7, 0.4] as const;

export interface DensityLayer {
  grid: DensityGrid;
  /** The density level of each share (DENSITY_SHARES' order). */
  levels: number[];
  lines: ContourLines;
}

/** The plane the contours lie on: z = 0 for a flat layout, just under the lowest point otherwise. */
export function floorOf(view: Float32Array, count: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const z = view[i * 3 + 2];
    if (z < lo) lo = z;
    if (z > hi) hi = z;
  }
  return hi - lo < 1e-9 ? (Number.isFinite(lo) ? lo : 0) : lo - 0.05 * (hi - lo);
}

export function densityLayer(view: Float32Array, count: number): DensityLayer {
  const grid = densityGrid(view, count, 3);
  const levels = enclosingLevels(grid, view, count, 3, DENSITY_SHARES);
  return { grid, levels, lines: contourLines(grid, levels, floorOf(view, count)) };
}

export class DensityState {
  enabled = $state(false);
  /** Whether the last clicked spot lies past the data (null: no click since the layer went on). */
  pastData = $state<boolean | null>(null);
  private cached: { layout: Layout; layer: DensityLayer | null } | null = null;

  toggle(): void {
    this.enabled = !this.enabled;
    this.pastData = null;
  }

  /** The layer of a layout (computed once per layout; null: too few points). */
  layerOf(l: Layout | null): DensityLayer | null {
    if (!l) return null;
    if (this.cached?.layout !== l) this.cached = { layout: l, layer: l.count >= 10 ? densityLayer(l.view, l.count) : null };
    return this.cached.layer;
  }

  /** A click on an empty spot of layout `l` at view position p. */
  noteClick(l: Layout | null, p: Vec3): void {
    const layer = this.enabled ? this.layerOf(l) : null;
    this.pastData = layer ? densityAt(layer.grid, p[0], p[1]) < layer.levels[0] : null;
  }

  /** A point was picked (it is data), or the points changed. */
  clearClick(): void {
    this.pastData = null;
  }
}
