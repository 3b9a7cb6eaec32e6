import { describe, expect, it } from 'vitest';
import {
  BACKDROP_GAP,
  FLAT_PLANE,
  backdropPlane,
  cameraOnPlane,
  farDepth,
  nearDepth,
  planeCoordinates,
  planePoint,
  silhouetteOnPlane,
  type MapPlane,
} from './map-plane';
import type { Vec3 } from './types';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
/** Depth seen looking against the plane's normal (grows away from a camera facing it). */
const depth = (plane: MapPlane, p: ArrayLike<number>): number => -dot(p, plane.normal);

/** A lopsided cloud: 200 points in the box [−1, 3] × [0, 1] × [−2, 0.5], from a fixed generator. */
function cloud(): Float32Array {
  let seed = 7;
  const next = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const lo = [-1, 0, -2];
  const hi = [3, 1, 0.5];
  return Float32Array.from({ length: 600 }, (_, i) => lo[i % 3] + next() * (hi[i % 3] - lo[i % 3]));
}

describe('map plane', () => {
  it('lies behind the whole cloud as seen from the camera, facing it, BACKDROP_GAP of the diagonal past the far point', () => {
    const view = cloud();
    const toward: Vec3 = [0.5, 0.38, 1];
    const plane = backdropPlane(view, 200, toward);
    const n = Math.hypot(...toward);
    toward.forEach((v, a) => expect(plane.normal[a]).toBeCloseTo(v / n, 12));
    // An orthonormal frame whose right axis is level and whose up axis points up, as the camera's.
    for (const [a, b] of [
      [plane.u, plane.v],
      [plane.u, plane.normal],
      [plane.v, plane.normal],
    ])
      expect(dot(a, b)).toBeCloseTo(0, 12);
    for (const axis of [plane.u, plane.v]) expect(Math.hypot(...axis)).toBeCloseTo(1, 12);
    expect(plane.u[1]).toBeCloseTo(0, 12);
    expect(plane.v[1]).toBeGreaterThan(0);

    const far = Math.max(...Array.from({ length: 200 }, (_, i) => depth(plane, view.subarray(i * 3))));
    expect(farDepth(plane.normal, view, 200)).toBeCloseTo(far, 6);
    const lo = [0, 1, 2].map((a) => Math.min(...view.filter((_, i) => i % 3 === a)));
    const hi = [0, 1, 2].map((a) => Math.max(...view.filter((_, i) => i % 3 === a)));
    const diagonal = Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);
    // Every spot of the plane, near its origin or far out, is that much past the far point.
    for (const [a, b] of [
      [0, 0],
      [5, -3],
      [-40, 12],
    ])
      expect(depth(plane, planePoint(plane, a, b))).toBeCloseTo(far + BACKDROP_GAP * diagonal, 5);
    // Its origin is straight behind the bounding box's centre.
    const centre = [0, 1, 2].map((a) => (lo[a] + hi[a]) / 2) as Vec3;
    const [ca, cb] = planeCoordinates(plane, centre);
    expect(ca).toBeCloseTo(0, 6);
    expect(cb).toBeCloseTo(0, 6);
  });

  it('maps plane coordinates to view points and back', () => {
    const plane = backdropPlane(cloud(), 200, [-1, 2, 0.5]);
    const [a, b] = planeCoordinates(plane, planePoint(plane, 1.25, -0.75));
    expect(a).toBeCloseTo(1.25, 9);
    expect(b).toBeCloseTo(-0.75, 9);
  });

  it('lays the silhouette seen from the eye: each point lands where its line of sight meets the plane', () => {
    const view = cloud();
    const plane = backdropPlane(view, 200, [0.5, 0.38, 1]);
    const eye = planePoint(plane, 0.5, -0.25).map((v, a) => v + plane.normal[a] * 20) as Vec3;
    // A point behind the eye keeps its straight foot.
    const all = Float32Array.from([...view, ...eye.map((v, a) => v + plane.normal[a])]);
    const seen = silhouetteOnPlane(plane, eye, all, 201);
    for (const i of [0, 57, 199]) {
      const p = view.subarray(i * 3, i * 3 + 3);
      const q = planePoint(plane, seen[i * 3], seen[i * 3 + 1]);
      // Eye, point and landing spot on one line, the spot beyond the point.
      const toP = [0, 1, 2].map((k) => p[k] - eye[k]) as Vec3;
      const toQ = [0, 1, 2].map((k) => q[k] - eye[k]) as Vec3;
      expect(dot(toP, toQ) / (Math.hypot(...toP) * Math.hypot(...toQ))).toBeCloseTo(1, 9);
      expect(Math.hypot(...toQ)).toBeGreaterThan(Math.hypot(...toP));
      expect(seen[i * 3 + 2]).toBe(0);
    }
    const [a, b] = planeCoordinates(plane, all.subarray(600, 603) as unknown as Vec3);
    expect(seen[600]).toBeCloseTo(a, 5);
    expect(seen[601]).toBeCloseTo(b, 5);
  });

  it('is z = 0 in the flat view, where the camera’s view of it is its target and distance', () => {
    expect(planePoint(FLAT_PLANE, 2, -3)).toEqual([2, -3, 0]);
    expect(cameraOnPlane(FLAT_PLANE, { position: [1, 2, 7], target: [1, 2, 0] })).toEqual({ target: [1, 2, 0], distance: 7 });
  });

  it('sees the backdrop from the home camera at its distance to the target plus the target’s depth to the plane', () => {
    const view = cloud();
    const toward: Vec3 = [0.5, 0.38, 1];
    const plane = backdropPlane(view, 200, toward);
    const n = Math.hypot(...toward);
    const target: Vec3 = [1, 0.5, -0.75];
    const position = target.map((v, a) => v + (toward[a] / n) * 6) as Vec3;
    const seen = cameraOnPlane(plane, { position, target });
    expect(seen.distance).toBeCloseTo(6 + depth(plane, plane.origin) - depth(plane, target), 9);
    const [a, b] = planeCoordinates(plane, target);
    expect(seen.target).toEqual([a, b, 0]);
  });

  it('measures the nearest of some points against the normal', () => {
    expect(
      nearDepth(
        [0, 0, 1],
        [
          [0, 0, -3],
          [1, 1, -1],
          [0, 0, -2],
        ],
      ),
    ).toBe(1);
    expect(farDepth([0, 0, 1], Float32Array.of(0, 0, -3, 1, 1, -1), 2)).toBe(3);
  });
});
