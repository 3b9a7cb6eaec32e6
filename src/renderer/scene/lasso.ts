/**
 * Which points a lasso drawn on the screen holds: each visible point is projected with the
 * camera's view-projection matrix (one pass over the positions, no three.js objects per point)
 * and tested against the polygon by ray casting (even-odd rule).
 */

export interface ScreenPoint {
  x: number;
  y: number;
}

/** Whether (x, y) is inside the polygon (even-odd rule). */
export function insidePolygon(polygon: readonly ScreenPoint[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * Indices of the points inside the polygon (client pixels). `viewProjection` is the camera's
 * projection × view matrix (column-major, 16 numbers); `rect` the canvas's client rectangle.
 */
export function pointsInPolygon(
  positions: Float32Array,
  count: number,
  hidden: Uint8Array | null,
  viewProjection: ArrayLike<number>,
  rect: { left: number; top: number; width: number; height: number },
  polygon: readonly ScreenPoint[],
): Int32Array {
  if (polygon.length < 3) return new Int32Array(0);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of polygon) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const m = viewProjection;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (hidden?.[i]) continue;
    const x = positions[i * 3];
    const y = positions[i * 3 + 1];
    const z = positions[i * 3 + 2];
    const w = m[3] * x + m[7] * y + m[11] * z + m[15];
    if (w <= 0) continue; // behind the camera
    const sx = rect.left + (((m[0] * x + m[4] * y + m[8] * z + m[12]) / w + 1) / 2) * rect.width;
    const sy = rect.top + ((1 - (m[1] * x + m[5] * y + m[9] * z + m[13]) / w) / 2) * rect.height;
    if (sx < minX || sx > maxX || sy < minY || sy > maxY) continue;
    if (insidePolygon(polygon, sx, sy)) out.push(i);
  }
  return Int32Array.from(out);
}
