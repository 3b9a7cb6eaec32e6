/**
 * When the panels that the first view does not show start loading (App.svelte): right after the first
 * frame of points, so that their code and their mounting take nothing from that frame; at once when no
 * points are coming (nothing open, the start failed); and within a bound in any case, so that no panel
 * stays missing when the cloud is slow or never drawn (no WebGL, a hidden window that runs no frames).
 */
import { whenStarted } from '../lib/start-marks';

export interface FirstViewBounds {
  /** After the start (status and embeddings) with points to draw: their frame is this late at most. */
  afterStartMs: number;
  /** From the call: however the start goes. */
  latestMs: number;
}

/** A first frame takes ~0.5 s on a software renderer (docs/BENCHMARKS.md); a real GPU, far less. */
export const FIRST_VIEW_BOUNDS: FirstViewBounds = { afterStartMs: 1500, latestMs: 4000 };

/**
 * Resolves at the earliest of: the first cloud drawn; the start settled with no points to draw; the
 * start settled plus `afterStartMs`; `latestMs` from now.
 */
export function afterFirstView(
  started: Promise<unknown>,
  hasPoints: () => boolean,
  firstCloud: Promise<void> = whenStarted('first-cloud'),
  bounds: FirstViewBounds = FIRST_VIEW_BOUNDS,
): Promise<void> {
  const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const startSettled = started.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([firstCloud, startSettled.then(() => (hasPoints() ? after(bounds.afterStartMs) : undefined)), after(bounds.latestMs)]);
}

/**
 * Runs `task` `delayMs` after the first cloud is drawn (at once after that: `delayMs` from now), or
 * after `latestMs` without one; returns what cancels it. For background work of a layout (a worker's
 * measure) that would otherwise take a core from the first frame on a 2-core machine.
 */
export function afterFirstCloud(
  task: () => void,
  delayMs: number,
  firstCloud: Promise<void> = whenStarted('first-cloud'),
  bounds: Pick<FirstViewBounds, 'latestMs'> = FIRST_VIEW_BOUNDS,
): () => void {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const latest = setTimeout(() => void start(), bounds.latestMs);
  const start = (): void => {
    clearTimeout(latest);
    if (cancelled || timer !== undefined) return;
    timer = setTimeout(task, delayMs);
  };
  void firstCloud.then(start);
  return () => {
    cancelled = true;
    clearTimeout(latest);
    clearTimeout(timer);
  };
}
