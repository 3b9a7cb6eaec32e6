import { describe, expect, it } from 'vitest';
import { insidePolygon, pointsInPolygon } from '../scene/lasso';
import { MARK_DIM, MARK_HIGHLIGHT, MARK_NORMAL, hiddenMask, pointMarks } from './point-marks';

describe('lasso', () => {
  const square = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 10 },
    { x: 0, y: 10 },
  ];

  it('tests points against a polygon, concave ones included', () => {
    expect(insidePolygon(square, 5, 5)).toBe(true);
    expect(insidePolygon(square, 11, 5)).toBe(false);
    const notch = [...square.slice(0, 2), { x: 5, y: 5 }, ...square.slice(2)];
    // (10,0) → (5,5) → (10,10): the right-middle is cut out.
    expect(insidePolygon(notch, 8, 5)).toBe(false);
    expect(insidePolygon(notch, 2, 5)).toBe(true);
  });

  it('projects points with the view-projection matrix and keeps those inside, not hidden, in front', () => {
    // Identity matrix: NDC = position; a 100 × 100 canvas at (0, 0): x → 50 + 50x, y → 50 − 50y.
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const rect = { left: 0, top: 0, width: 100, height: 100 };
    const positions = new Float32Array([0, 0, 0, 0.5, 0.5, 0, -0.9, -0.9, 0, 0.1, 0.1, 0]);
    const lasso = [
      { x: 40, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 60 },
      { x: 40, y: 60 },
    ];
    expect(Array.from(pointsInPolygon(positions, 4, null, identity, rect, lasso))).toEqual([0, 1, 3]);
    expect(Array.from(pointsInPolygon(positions, 4, new Uint8Array([0, 1, 0, 0]), identity, rect, lasso))).toEqual([0, 3]);
    // w ≤ 0: behind the camera.
    const behind = identity.slice();
    behind[15] = -1;
    expect(pointsInPolygon(positions, 4, null, behind, rect, lasso).length).toBe(0);
    expect(pointsInPolygon(positions, 4, null, identity, rect, lasso.slice(0, 2)).length).toBe(0);
  });
});

describe('point marks', () => {
  it('a search highlights matches and dims the rest; the selection is highlighted over it', () => {
    expect(pointMarks(3, null, null)).toBeNull();
    expect(Array.from(pointMarks(3, new Uint8Array([1, 0, 0]), null)!)).toEqual([MARK_HIGHLIGHT, MARK_DIM, MARK_DIM]);
    expect(Array.from(pointMarks(3, null, new Uint8Array([0, 1, 0]))!)).toEqual([MARK_NORMAL, MARK_HIGHLIGHT, MARK_NORMAL]);
    expect(Array.from(pointMarks(3, new Uint8Array([1, 0, 0]), new Uint8Array([0, 0, 1]))!)).toEqual([MARK_HIGHLIGHT, MARK_DIM, MARK_HIGHLIGHT]);
  });

  it('greying out the rest dims every point outside the selection, search matches too', () => {
    const selected = new Uint8Array([0, 1, 0]);
    expect(Array.from(pointMarks(3, null, selected, true)!)).toEqual([MARK_DIM, MARK_HIGHLIGHT, MARK_DIM]);
    expect(Array.from(pointMarks(3, new Uint8Array([1, 0, 0]), selected, true)!)).toEqual([MARK_DIM, MARK_HIGHLIGHT, MARK_DIM]);
    // Without a selection there is nothing to grey out around.
    expect(pointMarks(3, null, null, true)).toBeNull();
  });

  it('hides hidden labels and, when isolated, everything outside the selection', () => {
    const labels = new Int32Array([0, 1, 2, 1]);
    expect(hiddenMask(4, labels, [], null)).toBeNull();
    expect(Array.from(hiddenMask(4, labels, [1], null)!)).toEqual([0, 1, 0, 1]);
    expect(Array.from(hiddenMask(4, labels, [], new Uint8Array([1, 0, 1, 0]))!)).toEqual([0, 1, 0, 1]);
    expect(Array.from(hiddenMask(4, labels, [2], new Uint8Array([1, 0, 1, 0]))!)).toEqual([0, 1, 1, 1]);
  });
});
