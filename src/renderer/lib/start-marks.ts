/**
 * Marks the page's start steps (src/shared/start-marks.ts) on the page's clock. Only the first time
 * each step happens is marked: a later dataset or model is not a start.
 */
import { START_MARK_PREFIX, type StartStep } from '../../shared/start-marks';

const marked = new Set<StartStep>();
const waiting = new Map<StartStep, (() => void)[]>();

export function markStart(step: StartStep): void {
  if (marked.has(step)) return;
  marked.add(step);
  performance.mark(START_MARK_PREFIX + step);
  for (const resolve of waiting.get(step) ?? []) resolve();
  waiting.delete(step);
}

/** Resolves once `step` has happened (at once if it already has): what waits for the first view. */
export function whenStarted(step: StartStep): Promise<void> {
  if (marked.has(step)) return Promise.resolve();
  return new Promise((resolve) => waiting.set(step, [...(waiting.get(step) ?? []), resolve]));
}
