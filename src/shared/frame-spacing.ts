/**
 * The frame timeline of an export, as pure maths on numbers (the engine decodes, this decides where):
 * - equal-change spacing: frames placed so each differs from the last by the same amount of decoded
 *   pixel change, instead of by equal steps of path time (which, in z, can hide long flat stretches
 *   and sudden jumps in what the images show);
 * - hold frames: the frames at the keyframes repeated so the video rests on them;
 * - repeats: the whole sequence played N times (a loop count for containers without a loop field).
 *
 * A path's time runs 0 → 1 (0 → 1 → 0 with ping-pong); `timelineTime` maps the export's own clock
 * s ∈ [0, 1] onto it, so ping-pong needs no special case here.
 */
import { MAX_FRAMES } from './vocabulary';

/** Frames held at each keyframe, and times the path plays: the dialog's bounds. */
export const MAX_HOLD_FRAMES = 240;
export const MAX_REPEATS = 100;
/** Dense samples decoded to measure the change along a path (per output frame, and in all). */
export const CHANGE_SAMPLES_PER_FRAME = 4;
export const MAX_CHANGE_SAMPLES = 4096;

/** The path time at export clock s ∈ [0, 1]: s itself, or there and back with ping-pong. */
export function timelineTime(s: number, pingPong: boolean): number {
  return pingPong ? 1 - Math.abs(1 - 2 * s) : s;
}

/** How many dense samples measure the change of an export of `frames` frames. */
export function changeSampleCount(frames: number): number {
  return Math.max(2, Math.min(MAX_CHANGE_SAMPLES, frames * CHANGE_SAMPLES_PER_FRAME));
}

/** Mean absolute difference (0–255) between each frame and the next: count − 1 values. */
export function pixelChanges(pixels: Uint8Array, frameBytes: number, count: number): Float64Array {
  if (pixels.length !== frameBytes * count) throw new Error(`pixelChanges: ${pixels.length} bytes are not ${count} frames of ${frameBytes}`);
  const changes = new Float64Array(Math.max(0, count - 1));
  for (let k = 1; k < count; k++) {
    let sum = 0;
    const a = (k - 1) * frameBytes;
    const b = k * frameBytes;
    for (let i = 0; i < frameBytes; i++) sum += Math.abs(pixels[b + i] - pixels[a + i]);
    changes[k - 1] = sum / frameBytes;
  }
  return changes;
}

/**
 * Export clock values s ∈ [0, 1] for `frames` frames such that the accumulated change between
 * consecutive frames is equal. `changes[j]` is the change between dense samples j and j + 1, the
 * samples evenly spaced on the clock (sample j at j / changes.length); the change is taken as
 * uniform within one dense step, so the result is the inverse of the piecewise-linear cumulative
 * change. A path that shows no change at all keeps even spacing.
 */
export function equalChangeClock(changes: ArrayLike<number>, frames: number): number[] {
  if (!Number.isInteger(frames) || frames < 2 || frames > MAX_FRAMES) throw new Error(`equal-change spacing needs 2 to ${MAX_FRAMES} frames, got ${frames}`);
  const steps = changes.length;
  if (steps < 1) throw new Error('equal-change spacing needs at least 2 dense samples');
  const cumulative = new Float64Array(steps + 1);
  for (let j = 0; j < steps; j++) {
    const c = changes[j];
    if (!(c >= 0) || !Number.isFinite(c)) throw new Error(`equal-change spacing: change ${j} is ${c}, not a finite number ≥ 0`);
    cumulative[j + 1] = cumulative[j] + c;
  }
  const total = cumulative[steps];
  const clock: number[] = [];
  if (!(total > 0)) {
    for (let k = 0; k < frames; k++) clock.push(k / (frames - 1));
    return clock;
  }
  let j = 0;
  for (let k = 0; k < frames; k++) {
    if (k === 0) {
      clock.push(0);
      continue;
    }
    if (k === frames - 1) {
      clock.push(1);
      continue;
    }
    const target = (k / (frames - 1)) * total;
    while (j < steps - 1 && cumulative[j + 1] < target) j++;
    const within = changes[j] > 0 ? (target - cumulative[j]) / changes[j] : 0;
    clock.push((j + Math.min(1, Math.max(0, within))) / steps);
  }
  return clock;
}

/**
 * The frames that sit at a keyframe: for each keyframe time b (the path's segment breaks), every
 * frame whose time is a local closest to b and within half a frame step of it. A ping-pong path
 * passes its inner keyframes twice, so they are found twice.
 */
export function keyframeFrames(times: readonly number[], breaks: readonly number[]): number[] {
  const found = new Set<number>();
  const n = times.length;
  for (const b of breaks) {
    for (let j = 0; j < n; j++) {
      const here = Math.abs(times[j] - b);
      const before = j > 0 ? Math.abs(times[j - 1] - b) : Infinity;
      const after = j < n - 1 ? Math.abs(times[j + 1] - b) : Infinity;
      if (!(here <= before && here < after)) continue;
      const step = Math.max(j > 0 ? Math.abs(times[j] - times[j - 1]) : 0, j < n - 1 ? Math.abs(times[j + 1] - times[j]) : 0);
      if (here <= step / 2 + 1e-12) found.add(j);
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** The order frames are written in: each frame once, `hold` more times at the held ones, all of it `repeats` times. */
export function frameOrder(count: number, held: readonly number[], hold: number, repeats: number): number[] {
  if (!Number.isInteger(hold) || hold < 0 || hold > MAX_HOLD_FRAMES)
    throw new Error(`hold frames must be an integer from 0 to ${MAX_HOLD_FRAMES}, got ${hold}`);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > MAX_REPEATS)
    throw new Error(`the loop count must be an integer from 1 to ${MAX_REPEATS}, got ${repeats}`);
  const isHeld = new Set(held);
  const once: number[] = [];
  for (let k = 0; k < count; k++) {
    once.push(k);
    if (isHeld.has(k)) for (let h = 0; h < hold; h++) once.push(k);
  }
  const order: number[] = [];
  for (let r = 0; r < repeats; r++) order.push(...once);
  return order;
}
