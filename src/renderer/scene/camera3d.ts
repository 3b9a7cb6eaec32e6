/**
 * The 3D view's camera maths as pure functions (no three.js objects, no state), so each is tested on
 * its own: where a layout's bulk is, the camera that frames it, the camera that flies to a point, the
 * spot of space under the pointer, and when a changed layout should be framed again.
 */
import type { CameraState, Extent, Vec3 } from './types';

/** The centre (per-axis median, so a few far-off points do not pull it) and the radius holding 99.5 %. */
export function extentOf(view: Float32Array, n: number, minRadius: number): Extent {
  const step = Math.max(1, Math.floor(n / 20000));
  const sampled = Math.ceil(Math.max(0, n) / step);
  // Typed arrays sort numerically in native code: a first layout's 3 + 1 sorts of 23,000 numbers took
  // ~40 ms with a comparator on a software-rendered start (docs/BENCHMARKS.md), ~1 ms this way.
  const c = [0, 1, 2].map((a) => {
    const values = new Float64Array(sampled);
    for (let i = 0, k = 0; i < n; i += step, k++) values[k] = view[i * 3 + a];
    values.sort();
    return sampled ? values[Math.floor(sampled / 2)] : 0;
  }) as Vec3;
  const dist = new Float64Array(sampled);
  for (let i = 0, k = 0; i < n; i += step, k++) dist[k] = Math.hypot(view[i * 3] - c[0], view[i * 3 + 1] - c[1], view[i * 3 + 2] - c[2]);
  dist.sort();
  return { c, r: Math.max(dist[Math.floor(sampled * 0.995)] ?? 1, minRadius, 1e-3) };
}

/** All points on z = 0 (a 2D layout): the camera then faces the plane. */
export function isFlat(view: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 1000))) if (Math.abs(view[i * 3 + 2]) > 1e-9) return false;
  return true;
}

/** Where the home camera of a 3D layout sits, seen from the target (not normalised); the decoded map faces it. */
export const HOME_TILT_3D: Vec3 = [0.5, 0.38, 1];

/**
 * The camera that fits the bulk in the narrower of the two fields of view (a 15 % margin for the
 * overlays): a flat layout head-on, a 3D one mostly frontal and tilted enough to read depth.
 */
export function framingOf({ c, r }: Extent, flat: boolean, fovDegrees: number, aspect: number): CameraState {
  const half = (fovDegrees * Math.PI) / 360;
  const narrowest = Math.min(half, Math.atan(Math.tan(half) * aspect));
  const distance = (r / Math.sin(narrowest)) * 1.15;
  const tilt: Vec3 = flat ? [0, 0, 1] : HOME_TILT_3D;
  const length = Math.hypot(...tilt);
  return { position: [0, 1, 2].map((a) => c[a] + (tilt[a] / length) * distance) as Vec3, target: [c[0], c[1], c[2]] };
}

/**
 * The same camera looking straight down on a flat layout (the z = 0 plane): the target kept, the
 * position moved onto the plane's normal at the same distance. A camera saved in 3D (a bookmark, a
 * project) would otherwise show a 2D view tilted.
 */
export function faceFlat({ position, target }: CameraState): CameraState {
  const distance = Math.hypot(position[0] - target[0], position[1] - target[1], position[2] - target[2]) || 1;
  return { position: [target[0], target[1], target[2] + distance], target: [target[0], target[1], target[2]] };
}

/** Whether a new layout moves the camera: the first one, or ('auto') one that grew, shrank or moved a lot. */
export function needsReframe(extent: Extent, home: CameraState, radius: number, frame: boolean | 'auto', framed: boolean): boolean {
  if (frame === true || !framed) return true;
  if (frame !== 'auto') return false;
  const moved = Math.hypot(extent.c[0] - home.target[0], extent.c[1] - home.target[1], extent.c[2] - home.target[2]);
  return extent.r > radius * 1.6 || extent.r < radius * 0.45 || moved > radius * 0.5;
}

/** Looking at p from the camera's current direction, no farther than 0.6 of the layout's radius. */
export function flyTo(camera: CameraState, p: Vec3, radius: number): CameraState {
  const offset = [0, 1, 2].map((a) => camera.position[a] - camera.target[a]);
  const length = Math.hypot(...offset) || 1;
  const distance = Math.min(length, radius * 0.6);
  return { position: offset.map((v, a) => p[a] + (v / length) * distance) as Vec3, target: [p[0], p[1], p[2]] };
}

/**
 * Where a ray (the pointer's) meets the plane facing the camera through `through`: the spot of space
 * under the pointer. Null when the ray runs parallel to the plane or points away from it.
 */
export function spotAt(origin: Vec3, direction: Vec3, viewDirection: Vec3, through: Vec3): Vec3 | null {
  const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const denominator = dot(direction, viewDirection);
  if (Math.abs(denominator) < 1e-12) return null;
  const t = dot([through[0] - origin[0], through[1] - origin[1], through[2] - origin[2]], viewDirection) / denominator;
  if (t < 0) return null;
  return [origin[0] + direction[0] * t, origin[1] + direction[1] * t, origin[2] + direction[2] * t];
}
