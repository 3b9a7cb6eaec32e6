import { describe, expect, it } from 'vitest';
import { extentOf, faceFlat, flyTo, framingOf, isFlat, needsReframe, spotAt } from './camera3d';
import type { CameraState, Vec3 } from './types';

const close = (actual: readonly number[], expected: readonly number[]): void => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
};

describe('extentOf', () => {
  it('centres on the per-axis median and takes the radius holding 99.5 % of the points', () => {
    // x = -2…2 on a line: median 0, distances 0, 1, 1, 2, 2; the 99.5 % one is the 5th (index 4).
    const view = Float32Array.from([-2, 0, 5, -1, 0, 5, 0, 0, 5, 1, 0, 5, 2, 0, 5]);
    const { c, r } = extentOf(view, 5, 0);
    close(c, [0, 0, 5]);
    expect(r).toBeCloseTo(2, 6);
  });

  it('is not pulled by one far-off point', () => {
    const n = 1001;
    const view = new Float32Array(n * 3);
    for (let i = 0; i < 1000; i++) view[i * 3] = (i % 10) / 10; // x in 0…0.9
    view[1000 * 3] = 1e6;
    const { c, r } = extentOf(view, n, 0);
    expect(c[0]).toBeCloseTo(0.5, 6);
    expect(r).toBeLessThan(1);
  });

  it('keeps at least minRadius (a single point has none of its own)', () => {
    expect(extentOf(Float32Array.from([3, 3, 3]), 1, 0.25).r).toBe(0.25);
  });

  it('samples every step-th point of a large cloud, in order of value whatever their order in the array', () => {
    // 70,000 points (a step of 3): the sampled x are 0, 3, 6, …; shuffled so that only sorting finds the median.
    const n = 70_000;
    const view = new Float32Array(n * 3);
    let seed = 7;
    const order = Array.from({ length: n }, (_, i) => i).sort(() => ((seed = (seed * 16807) % 2147483647) % 3) - 1);
    for (let i = 0; i < n; i++) view[i * 3] = i % 3 === 0 ? order[i] : -1;
    const sampledX = Array.from({ length: Math.ceil(n / 3) }, (_, k) => order[k * 3]).sort((a, b) => a - b);
    const { c } = extentOf(view, n, 0);
    expect(c[0]).toBe(sampledX[Math.floor(sampledX.length / 2)]);
  });

  it('has no extent without points', () => {
    expect(extentOf(new Float32Array(0), 0, 0)).toEqual({ c: [0, 0, 0], r: 1 });
  });
});

describe('isFlat', () => {
  it('is true only when every point lies on z = 0', () => {
    expect(isFlat(Float32Array.from([1, 2, 0, 3, 4, 0]), 2)).toBe(true);
    expect(isFlat(Float32Array.from([1, 2, 0, 3, 4, 0.5]), 2)).toBe(false);
  });
});

describe('framingOf', () => {
  it('faces a flat layout head-on, at the distance that fits its radius with a 15 % margin', () => {
    // fov 90°, square: half-angle 45°, distance = r / sin 45° × 1.15.
    const camera = framingOf({ c: [1, 2, 3], r: 1 }, true, 90, 1);
    close(camera.target, [1, 2, 3]);
    close(camera.position, [1, 2, 3 + Math.SQRT2 * 1.15]);
  });

  it('fits a tall window by its narrower, horizontal field of view', () => {
    const camera = framingOf({ c: [0, 0, 0], r: 1 }, true, 90, 0.5);
    const narrowest = Math.atan(Math.tan(Math.PI / 4) * 0.5);
    close(camera.position, [0, 0, (1 / Math.sin(narrowest)) * 1.15]);
  });

  it('tilts a 3D layout along (0.5, 0.38, 1)', () => {
    const camera = framingOf({ c: [0, 0, 0], r: 1 }, false, 90, 1);
    const d = Math.SQRT2 * 1.15;
    const length = Math.hypot(0.5, 0.38, 1);
    close(camera.position, [(0.5 / length) * d, (0.38 / length) * d, (1 / length) * d]);
  });
});

describe('needsReframe', () => {
  const home: CameraState = { position: [0, 0, 5], target: [0, 0, 0] };
  it('frames the first layout and whenever asked', () => {
    expect(needsReframe({ c: [0, 0, 0], r: 1 }, home, 1, false, false)).toBe(true);
    expect(needsReframe({ c: [0, 0, 0], r: 1 }, home, 1, true, true)).toBe(true);
    expect(needsReframe({ c: [9, 0, 0], r: 9 }, home, 1, false, true)).toBe(false);
  });

  it("on 'auto', only when the cloud grew, shrank or moved a lot", () => {
    expect(needsReframe({ c: [0.1, 0, 0], r: 1.2 }, home, 1, 'auto', true)).toBe(false);
    expect(needsReframe({ c: [0, 0, 0], r: 1.7 }, home, 1, 'auto', true)).toBe(true);
    expect(needsReframe({ c: [0, 0, 0], r: 0.4 }, home, 1, 'auto', true)).toBe(true);
    expect(needsReframe({ c: [0.6, 0, 0], r: 1 }, home, 1, 'auto', true)).toBe(true);
  });
});

describe('flyTo', () => {
  it('looks at the point from the same direction, no farther than 0.6 of the radius', () => {
    const camera = flyTo({ position: [0, 0, 10], target: [0, 0, 0] }, [1, 1, 1], 5);
    close(camera.target, [1, 1, 1]);
    close(camera.position, [1, 1, 4]);
  });

  it('keeps a camera that is already closer at its distance', () => {
    const camera = flyTo({ position: [0, 1, 0], target: [0, 0, 0] }, [2, 2, 2], 5);
    close(camera.position, [2, 3, 2]);
  });
});

describe('faceFlat', () => {
  it('moves a tilted camera onto the normal of the z = 0 plane through its target, at the same distance', () => {
    // A 3D view's camera (tilted, distance 13 from the target).
    const camera = faceFlat({ position: [4, 3, 12 + 1], target: [1, -1, 1] });
    close(camera.target, [1, -1, 1]);
    close(camera.position, [1, -1, 14]);
  });

  it('leaves a camera that already faces the plane where it is', () => {
    const camera = faceFlat({ position: [2, 5, 7], target: [2, 5, 0] });
    close(camera.position, [2, 5, 7]);
  });
});

describe('spotAt', () => {
  const facing: Vec3 = [0, 0, -1];
  it('is where the pointer ray meets the plane facing the camera through the given point', () => {
    close(spotAt([0, 0, 10], [0, 0, -1], facing, [5, 5, 2])!, [0, 0, 2]);
    const d = Math.SQRT1_2;
    close(spotAt([0, 0, 10], [d, 0, -d], facing, [0, 0, 2])!, [8, 0, 2]);
  });

  it('is null for a ray parallel to the plane or pointing away from it', () => {
    expect(spotAt([0, 0, 10], [1, 0, 0], facing, [0, 0, 2])).toBeNull();
    expect(spotAt([0, 0, 10], [0, 0, 1], facing, [0, 0, 2])).toBeNull();
  });
});
