/**
 * Marks the page's start steps (src/shared/start-marks.ts) on the page's clock. Only the first time
 * each step happens is marked: a later dataset or model is not a start.
 */
import { START_MARK_PREFIX, type StartStep } from '../../shared/start-marks';

const marked = new Set<StartStep>();

export function markStart(step: StartStep): void {
  if (marked.has(step)) return;
  marked.add(step);
  performance.mark(START_MARK_PREFIX + step);
}
