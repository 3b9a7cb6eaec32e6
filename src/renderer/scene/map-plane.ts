/**
 * The plane the decoded map lies on, as pure geometry. In the flat view it is z = 0, the points'
 * own plane. In 3D it is a backdrop: the plane facing the home camera, just past the points' far
 * extent along the home viewing direction, so the map is a wall behind the cloud, not a slice through
 * it. Plane coordinates (a, b) are the map's x and y: the tile grid (map-tiles.ts) is laid in them,
 * and planePoint turns them back into the view points a tile decodes.
 */
import type { CameraState, Vec3 } from './types';

/** A plane in view space: a point on it, its right (u) and up (v) axes, and its normal towards the camera. */
export interface MapPlane {
  origin: Vec3;
  u: Vec3;
  v: Vec3;
  normal: Vec3;
}

/** The flat view's plane, z = 0 (plane coordinates are the view's x and y). */
export const FLAT_PLANE: MapPlane = { origin: [0, 0, 0], u: [1, 0, 0], v: [0, 1, 0], normal: [0, 0, 1] };

/** How far past the points' far extent the backdrop lies, as a share of their bounding box's diagonal. */
export const BACKDROP_GAP = 0.05;

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const scaled = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const sum = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const unit = (a: Vec3): Vec3 => scaled(a, 1 / (Math.hypot(...a) || 1));

/** The plane's right and up axes for a camera whose up is +y (three's default); any right axis when it looks along y. */
function axesFacing(normal: Vec3): { u: Vec3; v: Vec3 } {
  const right = cross([0, 1, 0], normal);
  const u = Math.hypot(...right) > 1e-9 ? unit(right) : unit(sum([1, 0, 0], scaled(normal, -normal[0])));
  return { u, v: cross(normal, u) };
}

/** The largest depth of the points seen looking against `normal` (depth grows away from the camera). */
export function farDepth(normal: Vec3, view: Float32Array, count: number): number {
  let far = -Infinity;
  for (let i = 0; i < count; i++) far = Math.max(far, -(view[i * 3] * normal[0] + view[i * 3 + 1] * normal[1] + view[i * 3 + 2] * normal[2]));
  return far;
}

/** The points' mean depth looking against `normal`: the middle of the cloud, where the 3D map's tiles decode. */
export function meanDepth(normal: Vec3, view: Float32Array, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total -= view[i * 3] * normal[0] + view[i * 3 + 1] * normal[1] + view[i * 3 + 2] * normal[2];
  return count ? total / count : 0;
}

/** The smallest depth among some points (e.g. the drawn tiles' corners), looking against `normal`. */
export function nearDepth(normal: Vec3, points: readonly Vec3[]): number {
  return points.reduce((near, p) => Math.min(near, -dot(p, normal)), Infinity);
}

/**
 * The backdrop for a camera looking from `towardCamera` (seen from the target): the plane facing it,
 * BACKDROP_GAP of the points' bounding-box diagonal past their farthest point, its origin straight
 * behind the box's centre.
 */
export function backdropPlane(view: Float32Array, count: number, towardCamera: Vec3, gap = BACKDROP_GAP): MapPlane {
  const normal = unit(towardCamera);
  const { u, v } = axesFacing(normal);
  if (count === 0) return { origin: [0, 0, 0], u, v, normal };
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], view[i * 3 + a]);
      hi[a] = Math.max(hi[a], view[i * 3 + a]);
    }
  }
  const centre: Vec3 = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  const diagonal = Math.max(Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]), 1e-3);
  const depth = farDepth(normal, view, count) + gap * diagonal;
  // Move the centre along the viewing direction (−normal) until it lies at that depth.
  const origin = sum(centre, scaled(normal, -(depth + dot(centre, normal))));
  return { origin, u, v, normal };
}

/** The view point at plane coordinates (a, b). */
export function planePoint(plane: MapPlane, a: number, b: number): Vec3 {
  return sum(plane.origin, sum(scaled(plane.u, a), scaled(plane.v, b)));
}

/** Plane coordinates of a view point (its foot on the plane). */
export function planeCoordinates(plane: MapPlane, p: Vec3): [number, number] {
  const d: Vec3 = [p[0] - plane.origin[0], p[1] - plane.origin[1], p[2] - plane.origin[2]];
  return [dot(d, plane.u), dot(d, plane.v)];
}

/**
 * Where the points land on the plane seen from `eye` (each along its line of sight), as plane
 * coordinates (a, b, 0): the cloud's silhouette on the backdrop, which a farther plane shows larger
 * than the points' straight projection. A point no farther than the eye keeps its straight foot.
 */
export function silhouetteOnPlane(plane: MapPlane, eye: Vec3, view: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count * 3);
  const eyeDepth = -dot(eye, plane.normal);
  const planeDepth = -dot(plane.origin, plane.normal);
  for (let i = 0; i < count; i++) {
    const p: Vec3 = [view[i * 3], view[i * 3 + 1], view[i * 3 + 2]];
    const ahead = -dot(p, plane.normal) - eyeDepth;
    const t = ahead > 1e-9 ? (planeDepth - eyeDepth) / ahead : 1;
    const [a, b] = planeCoordinates(plane, ahead > 1e-9 ? sum(eye, scaled(sum(p, scaled(eye, -1)), t)) : p);
    out[i * 3] = a;
    out[i * 3 + 1] = b;
  }
  return out;
}

/**
 * What the camera sees of the plane, in plane coordinates: the target's foot on it, and the camera's
 * distance to that foot (the flat view's camera faces z = 0 from above its target, so there this is
 * just the camera's distance to its target).
 */
export function cameraOnPlane(plane: MapPlane, camera: CameraState): { target: Vec3; distance: number } {
  const [a, b] = planeCoordinates(plane, camera.target);
  const foot = planePoint(plane, a, b);
  const p = camera.position;
  return { target: [a, b, 0], distance: Math.hypot(p[0] - foot[0], p[1] - foot[1], p[2] - foot[2]) };
}

/**
 * Where a backdrop point's line of sight from `eye` crosses the depth `depth` (measured along −normal,
 * as `farDepth` measures): the tiles are drawn on the backdrop but decode this point at the cloud's middle
 * depth, so behind each part of the cloud the map shows what the model makes of the space among those
 * points, not the empty far side of the latent space the backdrop itself lies in.
 */
export function sightAtDepth(plane: MapPlane, eye: Vec3, onPlane: Vec3, depth: number): Vec3 {
  const ray = sum(onPlane, scaled(eye, -1));
  const along = -dot(ray, plane.normal);
  if (along < 1e-9) return onPlane;
  const t = (depth + dot(eye, plane.normal)) / along;
  return sum(eye, scaled(ray, t));
}
