/**
 * Level of detail for the mosaic (each point drawn as its thumbnail): only the points nearest the
 * camera, up to a budget, and only where a thumbnail would be big enough to read, are drawn as
 * images; the rest stay dots. The budget keeps the fill cost bounded in a software renderer however
 * many points there are. Pure functions (tested in Node); mosaic-layer.ts feeds them the camera.
 */
import type { Vec3 } from './types';

/** At most this many thumbnails are drawn in a frame. */
export const MOSAIC_BUDGET = 2_500;
/** A thumbnail smaller than this on screen (device pixels) is left a dot. */
export const MOSAIC_MIN_PX = 6;
/**
 * Nor is one drawn larger than this (device pixels): a sprite's fill cost grows with its area, and in
 * SwiftShader the fill is most of what the mosaic costs (page bench on a loaded machine: capping at 16
 * px instead of 64 took the 70k orbit from about 0.1 to 0.3 of the empty scene's frame rate).
 */
export const MOSAIC_MAX_PX = 40;
/**
 * With the mosaic on, the dots are thinned while the view moves from this many points on (not only
 * above LOD_ABOVE): the thumbnails' draws come on top of the dots', and the far dots are what can go.
 */
export const MOSAIC_DOTS_LOD_ABOVE = 30_000;
/**
 * How many dots are drawn while the view moves with the mosaic on (LOD_POINTS, 20,000, without it).
 * In SwiftShader 20,000 moving dots cost about what the thumbnails do (docs/ARCHITECTURE.md, "The
 * mosaic's frame"); halving them took the 70k orbit's frame rate up by a quarter in an A/B run. The
 * still view draws every dot.
 */
export const MOSAIC_DOTS_LOD_POINTS = 10_000;
/** How many points the distance quantile is estimated on. */
export const MOSAIC_SAMPLE = 4_096;

/** Device pixels per view unit at depth 1: a thing of size s at depth d is s · pxPerUnit / d pixels tall. */
export function pixelsPerUnit(viewportHeightPx: number, fovDeg: number): number {
  return viewportHeightPx / (2 * Math.tan((fovDeg * Math.PI) / 360));
}

/** The on-screen side, in device pixels, of a thumbnail `worldSize` view units wide at `depth`. */
export function thumbnailPixels(worldSize: number, depth: number, pxPerUnit: number): number {
  return depth > 0 ? (worldSize * pxPerUnit) / depth : 0;
}

/**
 * The distance from `eye` within which about `budget` of the `count` points lie, estimated on the
 * points of `sample` (indices into positions, count × 3). Infinity when the budget covers them all.
 */
export function thumbnailRadius(positions: Float32Array, count: number, eye: Vec3, budget: number, sample: ArrayLike<number>): number {
  if (budget >= count || sample.length === 0) return Infinity;
  if (budget <= 0) return 0;
  // Called every frame: a scratch array kept between calls, and a selection instead of a sort.
  if (scratch.length < sample.length) scratch = new Float64Array(sample.length);
  const d = scratch;
  for (let k = 0; k < sample.length; k++) {
    const i = sample[k] * 3;
    const dx = positions[i] - eye[0];
    const dy = positions[i + 1] - eye[1];
    const dz = positions[i + 2] - eye[2];
    d[k] = dx * dx + dy * dy + dz * dz;
  }
  // The sample's quantile budget/count: the k-th nearest sample point stands for the budget-th point.
  const k = Math.floor((budget / count) * sample.length);
  return k <= 0 ? 0 : Math.sqrt(kthSmallest(d, sample.length, Math.min(k, sample.length) - 1));
}

let scratch = new Float64Array(0);

/** The value that would sit at index k of the first n entries of `a` sorted ascending (Hoare's selection; reorders `a`). */
export function kthSmallest(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Whether a point at `distance` whose thumbnail would be `px` wide is drawn as its thumbnail. */
export function drawsThumbnail(distance: number, px: number, radius: number, minPx = MOSAIC_MIN_PX): boolean {
  return distance <= radius && px >= minPx;
}

/**
 * The atlas pages (pageSize points each, in index order) holding at least one point within `radius`
 * of `eye`, nearest first, at most `maxPages` of them, and how many points they hold within it.
 */
export function pagesWithin(
  positions: Float32Array,
  count: number,
  eye: Vec3,
  radius: number,
  pageSize: number,
  maxPages: number,
): { pages: number[]; within: number } {
  const pageCount = Math.ceil(count / pageSize);
  const nearest = new Float64Array(pageCount).fill(Infinity);
  const inside = new Int32Array(pageCount);
  const r2 = radius * radius;
  for (let i = 0; i < count; i++) {
    const dx = positions[i * 3] - eye[0];
    const dy = positions[i * 3 + 1] - eye[1];
    const dz = positions[i * 3 + 2] - eye[2];
    const s = dx * dx + dy * dy + dz * dz;
    if (s > r2) continue;
    const p = Math.floor(i / pageSize);
    inside[p]++;
    if (s < nearest[p]) nearest[p] = s;
  }
  const pages = [...inside.keys()].filter((p) => inside[p] > 0).sort((a, b) => nearest[a] - nearest[b] || a - b);
  const kept = pages.slice(0, maxPages);
  return { pages: kept, within: kept.reduce((n, p) => n + inside[p], 0) };
}

/**
 * A thumbnail's default side in view units: about 2.5 times the mean spacing of `count` points
 * spread over a disc of radius `radius` (so the nearest thumbnails touch without hiding each other).
 */
export function defaultThumbnailSize(radius: number, count: number): number {
  return 2.5 * radius * Math.sqrt(Math.PI / Math.max(1, count));
}

/** The distance beyond which a thumbnail of `worldSize` would be under `minPx` on screen. */
export function thumbnailReach(worldSize: number, pxPerUnit: number, minPx = MOSAIC_MIN_PX): number {
  return (worldSize * pxPerUnit) / minPx;
}
