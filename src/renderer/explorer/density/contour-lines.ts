/**
 * Contour lines of a density grid (marching squares by d3-contour) as line segments in view
 * coordinates on a plane z = `z`, with a colour per level: what the scene draws for the density layer.
 */
import { contours } from 'd3-contour';
import type { DensityGrid } from '../../../shared/view-density';

export interface ContourLines {
  /** Segment end points, 2 × 3 numbers a segment. */
  positions: Float32Array;
  /** A colour (0…1 RGB) per end point. */
  colors: Float32Array;
  /** Segments per level, in the order of the levels. */
  segmentsPerLevel: number[];
}

/** Outer levels dim, inner ones bright. */
function levelColor(rank: number, levels: number): [number, number, number] {
  const t = levels > 1 ? rank / (levels - 1) : 1;
  return [0.55 + 0.45 * t, 0.75 + 0.25 * t, 0.9 + 0.1 * t];
}

export function contourLines(grid: DensityGrid, levels: readonly number[], z: number): ContourLines {
  const sorted = [...levels].sort((a, b) => a - b);
  const polygons = contours().size([grid.width, grid.height]).thresholds(sorted)(Array.from(grid.values));
  const positions: number[] = [];
  const colors: number[] = [];
  const segmentsPerLevel: number[] = [];
  // d3 puts value i at the centre of the unit square [i, i + 1]; the grid's cell i is centred at x0 + i·cell.
  const toX = (gx: number): number => grid.x0 + (gx - 0.5) * grid.cell;
  const toY = (gy: number): number => grid.y0 + (gy - 0.5) * grid.cell;
  polygons.forEach((polygon, rank) => {
    const color = levelColor(rank, polygons.length);
    let segments = 0;
    for (const rings of polygon.coordinates)
      for (const ring of rings)
        for (let p = 0; p + 1 < ring.length; p++) {
          positions.push(toX(ring[p][0]), toY(ring[p][1]), z, toX(ring[p + 1][0]), toY(ring[p + 1][1]), z);
          colors.push(...color, ...color);
          segments++;
        }
    segmentsPerLevel.push(segments);
  });
  return { positions: Float32Array.from(positions), colors: Float32Array.from(colors), segmentsPerLevel };
}
