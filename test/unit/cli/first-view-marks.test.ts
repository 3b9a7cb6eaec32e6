import { describe, expect, it } from 'vitest';
import { firstViewOf } from '../../../src/cli/first-view-marks';

const mark = (step: string, startTime: number) => ({ name: `latentscape:${step}`, startTime });

describe("first_view_ms from the page's start marks", () => {
  it('is the first-cloud mark, not the later two-frame time, and lists every step in order', () => {
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
    expect(view).toEqual({ first_view_ms: 1234, first_view_from: 'two frames after the point count', first_view_marks: {} });
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
