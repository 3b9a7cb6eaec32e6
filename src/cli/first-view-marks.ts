/**
 * What first-view-bench makes of the page's start marks (src/shared/start-marks.ts): first_view_ms
 * is the first-cloud mark's time where the page set it. A renderer built before the marks has none;
 * then the time taken two animation frames after the point count showed stands in, as it always did.
 */
import { FIRST_CLOUD_MARK, START_MARK_PREFIX } from '../shared/start-marks';

/** What the page hands back once its point count shows (times on the page's clock, from navigation). */
export interface FirstViewSample {
  /** performance.now() two animation frames after the point count showed. */
  twoFramesAfterCountMs: number;
  points: number;
  marks: readonly { name: string; startTime: number }[];
}

export interface FirstView {
  first_view_ms: number;
  /** Which time first_view_ms is. */
  first_view_from: 'first-cloud mark' | 'two frames after the point count';
  /** Each start mark's time in whole ms, by step name in the order they happened. */
  first_view_marks: Record<string, number>;
}

export function firstViewOf(sample: FirstViewSample): FirstView {
  const ours = sample.marks.filter((m) => m.name.startsWith(START_MARK_PREFIX)).sort((a, b) => a.startTime - b.startTime);
  const marks: Record<string, number> = {};
  // The first of a name counts (a page marks each step once, but a mark set by hand twice must not move it).
  for (const m of ours) marks[m.name.slice(START_MARK_PREFIX.length)] ??= Math.round(m.startTime);
  const cloud = ours.find((m) => m.name === FIRST_CLOUD_MARK);
  return cloud
    ? { first_view_ms: Math.round(cloud.startTime), first_view_from: 'first-cloud mark', first_view_marks: marks }
    : { first_view_ms: Math.round(sample.twoFramesAfterCountMs), first_view_from: 'two frames after the point count', first_view_marks: marks };
}
