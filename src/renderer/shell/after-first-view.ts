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
