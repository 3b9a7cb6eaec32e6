import { describe, expect, it } from 'vitest';
import { firstViewOf } from '../../../src/cli/first-view-marks';

const mark = (step: string, startTime: number) => ({ name: `latentscape:${step}`, startTime });

describe("first_view_ms from the page's start marks", () => {
  it('is the cloud-shown mark, the frame after the one that drew the points, with the first contentful paint beside it', () => {
    const view = firstViewOf({
      twoFramesAfterCountMs: 1300.2,
      points: 70_000,
      firstContentfulPaintMs: 1624.4,
      marks: [mark('cloud-shown', 1796.3), mark('first-cloud', 1377.2), mark('layout', 1292.1)],
    });
    expect(view.first_view_ms).toBe(1796);
    expect(view.first_view_from).toBe('cloud-shown mark');
    expect(view.first_view_fcp_ms).toBe(1624);
    expect(Object.keys(view.first_view_marks)).toEqual(['layout', 'first-cloud', 'cloud-shown']);
  });

  it('is the first contentful paint where that came after the cloud-shown mark: no frame with points was on screen before it', () => {
    const view = firstViewOf({
      twoFramesAfterCountMs: 1300,
      points: 70_000,
      firstContentfulPaintMs: 1884.6,
      marks: [mark('first-cloud', 1452), mark('cloud-shown', 1660.2)],
    });
    expect(view.first_view_ms).toBe(1885);
    expect(view.first_view_from).toBe('first contentful paint');
    expect(view.first_view_marks).toEqual({ 'first-cloud': 1452, 'cloud-shown': 1660 });
  });

  it('is the first-cloud mark on a renderer without cloud-shown, not the later two-frame time, and lists every step in order', () => {
    const view = firstViewOf({
      twoFramesAfterCountMs: 1234.9,
      points: 70_000,
      marks: [mark('first-cloud', 1101.6), mark('app-mounted', 210.2), mark('embeddings', 980.4), mark('status', 400)],
    });
    expect(view.first_view_ms).toBe(1102);
    expect(view.first_view_from).toBe('first-cloud mark');
    expect(Object.entries(view.first_view_marks)).toEqual([
      ['app-mounted', 210],
      ['status', 400],
      ['embeddings', 980],
      ['first-cloud', 1102],
    ]);
  });

  it('falls back to two frames after the point count on a renderer without the marks', () => {
    const view = firstViewOf({ twoFramesAfterCountMs: 1234.4, points: 10, marks: [] });
    expect(view).toEqual({ first_view_ms: 1234, first_view_from: 'two frames after the point count', first_view_marks: {}, first_view_fcp_ms: null });
  });

  it('ignores other marks, and a step marked twice keeps its first time', () => {
    const view = firstViewOf({
      twoFramesAfterCountMs: 900,
      points: 5,
      marks: [{ name: 'first-cloud', startTime: 10 }, mark('status', 300), mark('status', 700)],
    });
    expect(view.first_view_ms).toBe(900);
    expect(view.first_view_marks).toEqual({ status: 300 });
  });
});
