/**
 * Paths through latent space: keyframes z₀…zₙ → N frames, each segment linear or spherical, with
 * optional easing and a ping-pong loop. Pure functions on Float32Array latents (no tfjs), so the
 * renderer-side preview, the CLI and tests all compute the same frames.
 *
 * Choices (documented because they shape the animation):
 * - Frame spacing: by default frames are spread over segments in proportion to each segment's
 *   length (the Euclidean distance between its keyframes, for both modes), so the animation moves
 *   at a steady pace through latent space. `spacing: 'equal'` gives every segment the same share of
 *   time instead. If all keyframes coincide (total length 0) spacing falls back to equal.
 * - Easing is applied within each segment (the motion slows into and out of every keyframe), which is
 *   what keyframe animation tools do; with one segment it is the same as easing the whole path.
 * - Spherical segments interpolate the *direction* along the great circle and the *norm* linearly:
 *   z(u) = ((1−u)|a| + u|b|) · slerp(â, b̂, u). For keyframes of equal norm this is the classic slerp
 *   (norm constant along the path); for unequal norms it stays well defined. Zero vectors and
 *   nearly parallel or antiparallel directions (sin Ω ≈ 0, where the great circle is undefined or
 *   numerically unstable) fall back to linear interpolation.
 * - The first frame is z₀ exactly and the last zₙ exactly (bit for bit); with ping-pong the path goes
 *   to zₙ at the middle and returns, so the last frame is z₀ exactly and frame k equals frame N−1−k.
 */
import { checkPathInputs, type Easing, type LoopMode, type PathOptions, type SegmentMode, type Spacing } from '../../shared/latent-path';

/** Below this sin Ω (about 0.06°) slerp's division is unstable: use lerp. */
const PARALLEL_EPS = 1e-6;
/** Norms below this are treated as the zero vector (no direction to slerp). */
const ZERO_NORM_EPS = 1e-12;

export function ease(easing: Easing, u: number): number {
  switch (easing) {
    case 'linear':
      return u;
    case 'ease-in':
      return u * u * u;
    case 'ease-out':
      return 1 - (1 - u) ** 3;
    case 'ease-in-out':
      return u < 0.5 ? 4 * u * u * u : 1 - (-2 * u + 2) ** 3 / 2;
  }
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** (1−u)·a + u·b into `out` (computed in float64, stored as float32); u = 0 / 1 copy a / b exactly. */
export function lerp(a: Float32Array, b: Float32Array, u: number, out: Float32Array = new Float32Array(a.length)): Float32Array {
  checkSameLength(a, b);
  if (u === 0) out.set(a);
  else if (u === 1) out.set(b);
  else for (let i = 0; i < a.length; i++) out[i] = a[i] + u * (b[i] - a[i]);
  return out;
}

/**
 * Spherical interpolation of the direction with a linearly interpolated norm (see the file comment);
 * falls back to lerp for zero vectors and (anti)parallel directions. u = 0 / 1 copy a / b exactly.
 */
export function slerp(a: Float32Array, b: Float32Array, u: number, out: Float32Array = new Float32Array(a.length)): Float32Array {
  checkSameLength(a, b);
  if (u === 0 || u === 1) return lerp(a, b, u, out);
  const na = norm(a);
  const nb = norm(b);
  if (na < ZERO_NORM_EPS || nb < ZERO_NORM_EPS) return lerp(a, b, u, out);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] / na) * (b[i] / nb);
  const cos = Math.min(1, Math.max(-1, dot));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  if (sin < PARALLEL_EPS) return lerp(a, b, u, out);
  const wa = Math.sin((1 - u) * omega) / sin / na;
  const wb = Math.sin(u * omega) / sin / nb;
  const length = (1 - u) * na + u * nb;
  for (let i = 0; i < a.length; i++) out[i] = length * (wa * a[i] + wb * b[i]);
  return out;
}

function checkSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`latent vectors differ in length (${a.length} and ${b.length})`);
}

/**
 * Where each segment starts on the path's [0, 1] time axis (segments + 1 entries, first 0, last 1).
 */
export function segmentBreaks(keyframes: readonly Float32Array[], spacing: Spacing = 'length'): number[] {
  const segments = keyframes.length - 1;
  const lengths: number[] = [];
  for (let i = 0; i < segments; i++) lengths.push(spacing === 'length' ? distance(keyframes[i], keyframes[i + 1]) : 1);
  let total = lengths.reduce((s, l) => s + l, 0);
  if (!(total > 0)) {
    lengths.fill(1);
    total = segments;
  }
  const breaks = [0];
  let cum = 0;
  for (let i = 0; i < segments; i++) {
    cum += lengths[i];
    breaks.push(i === segments - 1 ? 1 : cum / total);
  }
  return breaks;
}

/**
 * The point at time t ∈ [0, 1] of the path through `keyframes` (no loop applied), written to `out`.
 * t = 0 gives z₀ and t = 1 gives zₙ exactly.
 */
function pointAt(
  keyframes: readonly Float32Array[],
  breaks: readonly number[],
  modes: readonly SegmentMode[],
  easing: Easing,
  t: number,
  out: Float32Array,
): void {
  const segments = keyframes.length - 1;
  if (t <= 0) {
    out.set(keyframes[0]);
    return;
  }
  if (t >= 1) {
    out.set(keyframes[segments]);
    return;
  }
  let s = 0;
  while (s < segments - 1 && t >= breaks[s + 1]) s++;
  const span = breaks[s + 1] - breaks[s];
  const u = span > 0 ? Math.min(1, Math.max(0, (t - breaks[s]) / span)) : 1;
  const eased = ease(easing, u);
  if (modes[s] === 'spherical') slerp(keyframes[s], keyframes[s + 1], eased, out);
  else lerp(keyframes[s], keyframes[s + 1], eased, out);
}

/** The path's time for frame k of N: 0 → 1, or 0 → 1 → 0 with ping-pong (1 at the middle frame). */
export function frameTime(k: number, frames: number, loop: LoopMode = 'none'): number {
  if (k === 0) return 0;
  if (k === frames - 1) return loop === 'ping-pong' ? 0 : 1;
  const s = k / (frames - 1);
  if (loop !== 'ping-pong') return s;
  // Symmetric by construction so frame k and frame N−1−k are bit-identical.
  const mirrored = Math.min(k, frames - 1 - k);
  return (2 * mirrored) / (frames - 1);
}

/**
 * N frames along the path, as one Float32Array of N × d values (row k = frame k), ready for a
 * batched decode.
 */
export function interpolatePath(keyframes: readonly Float32Array[], options: PathOptions): Float32Array {
  const modes = checkPathInputs(keyframes, options);
  const d = keyframes[0].length;
  const n = options.frames;
  const loop = options.loop ?? 'none';
  const easing = options.easing ?? 'linear';
  const breaks = segmentBreaks(keyframes, options.spacing ?? 'length');
  const out = new Float32Array(n * d);
  for (let k = 0; k < n; k++) {
    pointAt(keyframes, breaks, modes, easing, frameTime(k, n, loop), out.subarray(k * d, (k + 1) * d));
  }
  return out;
}

/**
 * The path at the given times (each in [0, 1]: 0 is z₀, 1 is zₙ), as one Float32Array of
 * times × d values: the frames of an export whose timeline is not evenly spaced.
 */
export function pathAtTimes(keyframes: readonly Float32Array[], options: Omit<PathOptions, 'frames' | 'loop'>, times: readonly number[]): Float32Array {
  const modes = checkPathInputs(keyframes, { ...options, frames: Math.max(2, times.length) });
  const d = keyframes[0].length;
  const breaks = segmentBreaks(keyframes, options.spacing ?? 'length');
  const out = new Float32Array(times.length * d);
  times.forEach((t, k) => pointAt(keyframes, breaks, modes, options.easing ?? 'linear', t, out.subarray(k * d, (k + 1) * d)));
  return out;
}

/** How many frames fall in each segment (a frame exactly on a keyframe counts for the segment it starts). */
export function framesPerSegment(keyframes: readonly Float32Array[], options: PathOptions): number[] {
  checkPathInputs(keyframes, options);
  const breaks = segmentBreaks(keyframes, options.spacing ?? 'length');
  const counts = new Array<number>(keyframes.length - 1).fill(0);
  for (let k = 0; k < options.frames; k++) {
    const t = frameTime(k, options.frames, options.loop ?? 'none');
    let s = 0;
    while (s < counts.length - 1 && t >= breaks[s + 1]) s++;
    counts[s]++;
  }
  return counts;
}
