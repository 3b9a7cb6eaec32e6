/**
 * What first-view-bench makes of the page's start marks (src/shared/start-marks.ts): first_view_ms
 * is the cloud-shown mark's time where the page set it (the first animation frame after the one that
 * drew the points), or the page's first contentful paint where that came later: a canvas with points is
 * contentful, so no frame with them was on screen before that paint. A renderer built before the
 * cloud-shown mark is timed by its first-cloud mark (the frame's JavaScript, which can come well before
 * the points are on screen); one built before the marks, by the time two animation frames after its
 * point count showed, as it always was.
 */
import { CLOUD_SHOWN_MARK, FIRST_CLOUD_MARK, START_MARK_PREFIX } from '../shared/start-marks';

/** What the page hands back once its point count shows (times on the page's clock, from navigation). */
export interface FirstViewSample {
  /** performance.now() two animation frames after the point count showed. */
  twoFramesAfterCountMs: number;
  points: number;
  marks: readonly { name: string; startTime: number }[];
  /** The page's first contentful paint, when it had one by then. */
  firstContentfulPaintMs?: number | null;
}

export interface FirstView {
  first_view_ms: number;
  /** Which time first_view_ms is. */
  first_view_from: 'cloud-shown mark' | 'first contentful paint' | 'first-cloud mark' | 'two frames after the point count';
  /** Each start mark's time in whole ms, by step name in the order they happened. */
  first_view_marks: Record<string, number>;
  /** The page's first contentful paint (Chromium's paint timing), or null when it had none yet. */
  first_view_fcp_ms: number | null;
}

export function firstViewOf(sample: FirstViewSample): FirstView {
  const ours = sample.marks.filter((m) => m.name.startsWith(START_MARK_PREFIX)).sort((a, b) => a.startTime - b.startTime);
  const marks: Record<string, number> = {};
  // The first of a name counts (a page marks each step once, but a mark set by hand twice must not move it).
  for (const m of ours) marks[m.name.slice(START_MARK_PREFIX.length)] ??= Math.round(m.startTime);
  const fcp = sample.firstContentfulPaintMs;
  const first_view_fcp_ms = typeof fcp === 'number' && Number.isFinite(fcp) ? Math.round(fcp) : null;
  const shown = ours.find((m) => m.name === CLOUD_SHOWN_MARK);
  if (shown) {
    const painted = typeof fcp === 'number' && Number.isFinite(fcp) && fcp > shown.startTime;
    return painted
      ? { first_view_ms: Math.round(fcp), first_view_from: 'first contentful paint', first_view_marks: marks, first_view_fcp_ms }
      : { first_view_ms: Math.round(shown.startTime), first_view_from: 'cloud-shown mark', first_view_marks: marks, first_view_fcp_ms };
  }
  const cloud = ours.find((m) => m.name === FIRST_CLOUD_MARK);
  return cloud
    ? { first_view_ms: Math.round(cloud.startTime), first_view_from: 'first-cloud mark', first_view_marks: marks, first_view_fcp_ms }
    : {
        first_view_ms: Math.round(sample.twoFramesAfterCountMs),
        first_view_from: 'two frames after the point count',
        first_view_marks: marks,
        first_view_fcp_ms,
      };
}
