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
import { z } from 'zod';
import { MAX_KEYFRAME_FLOATS } from '../../shared/limits';

export type SegmentMode = 'linear' | 'spherical';
export const SEGMENT_MODES: readonly SegmentMode[] = ['linear', 'spherical'];
export type Easing = 'linear' | 'ease-in' | 'ease-out' | 'ease-in-out';
export const EASINGS: readonly Easing[] = ['linear', 'ease-in', 'ease-out', 'ease-in-out'];
export type LoopMode = 'none' | 'ping-pong';
export const LOOP_MODES: readonly LoopMode[] = ['none', 'ping-pong'];
export type Spacing = 'length' | 'equal';
export const SPACINGS: readonly Spacing[] = ['length', 'equal'];

export const MIN_FRAMES = 2;
export const MAX_FRAMES = 10_000;

export interface PathOptions {
  /** Total number of frames N (≥ 2; ≥ 3 with ping-pong). */
  frames: number;
  /** One mode for every segment, or one per segment (keyframes − 1 entries). Default linear. */
  mode?: SegmentMode | readonly SegmentMode[];
  easing?: Easing;
  loop?: LoopMode;
  spacing?: Spacing;
}

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

function segmentModes(mode: PathOptions['mode'], segments: number): SegmentMode[] {
  if (mode === undefined) return new Array<SegmentMode>(segments).fill('linear');
  if (typeof mode === 'string') {
    if (!SEGMENT_MODES.includes(mode)) throw new Error(`unknown path mode "${mode}": use ${SEGMENT_MODES.join(' or ')}`);
    return new Array<SegmentMode>(segments).fill(mode);
  }
  if (mode.length !== segments) {
    throw new Error(`${mode.length} segment modes given for ${segments} segment${segments === 1 ? '' : 's'} (one per pair of consecutive keyframes)`);
  }
  for (const m of mode) {
    if (!SEGMENT_MODES.includes(m)) throw new Error(`unknown path mode "${m}": use ${SEGMENT_MODES.join(' or ')}`);
  }
  return [...mode];
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

/** Validates keyframes and options; returns the per-segment modes. */
function checkPathInputs(keyframes: readonly Float32Array[], options: PathOptions): SegmentMode[] {
  if (keyframes.length < 2) throw new Error(`a path needs at least 2 keyframes, got ${keyframes.length}`);
  const d = keyframes[0].length;
  if (d === 0) throw new Error('keyframes are empty vectors');
  keyframes.forEach((k, i) => {
    if (k.length !== d) throw new Error(`keyframe ${i} has ${k.length} values but keyframe 0 has ${d}`);
    for (let j = 0; j < k.length; j++) {
      if (!Number.isFinite(k[j])) throw new Error(`keyframe ${i} has a non-finite value at position ${j}`);
    }
  });
  const loop = options.loop ?? 'none';
  if (!LOOP_MODES.includes(loop)) throw new Error(`unknown loop "${loop}": use ${LOOP_MODES.join(' or ')}`);
  const minFrames = loop === 'ping-pong' ? 3 : MIN_FRAMES;
  if (!Number.isInteger(options.frames) || options.frames < minFrames || options.frames > MAX_FRAMES) {
    throw new Error(`frames must be an integer from ${minFrames} to ${MAX_FRAMES}${loop === 'ping-pong' ? ' with ping-pong' : ''}, got ${options.frames}`);
  }
  const easing = options.easing ?? 'linear';
  if (!EASINGS.includes(easing)) throw new Error(`unknown easing "${easing}": use one of ${EASINGS.join(', ')}`);
  const spacing = options.spacing ?? 'length';
  if (!SPACINGS.includes(spacing)) throw new Error(`unknown spacing "${spacing}": use ${SPACINGS.join(' or ')}`);
  return segmentModes(options.mode, keyframes.length - 1);
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

// ---------------------------------------------------------------------------------------------
// PathSpec: the path as a JSON document that can be saved and reopened.

export const PATH_FORMAT = 'latentscape-path';
export const PATH_VERSION = 1;

/** Where a keyframe came from, so the UI can show it again (optional, informative only). */
export interface KeyframeSource {
  /** The dataset index it was encoded from (μ of q(z|x)). */
  index?: number;
  label?: string;
}

export interface PathSpec {
  format: typeof PATH_FORMAT;
  version: typeof PATH_VERSION;
  /** Latent size d; every keyframe has d values. */
  latentDim: number;
  keyframes: { z: number[]; source?: KeyframeSource }[];
  /** One mode per segment (keyframes − 1 entries). */
  segments: SegmentMode[];
  frames: number;
  easing: Easing;
  loop: LoopMode;
  spacing: Spacing;
  /** Playback rate for exports. */
  fps?: number;
}

const keyframeSchema = z.object({
  z: z.array(z.number().refine(Number.isFinite, 'must be a finite number')).min(1, 'must have at least one value'),
  source: z
    .object({
      index: z.number().int().nonnegative().optional(),
      label: z.string().max(200).optional(),
    })
    .strict()
    .optional(),
});

const pathSpecSchema = z
  .object({
    format: z.literal(PATH_FORMAT, { error: `must be "${PATH_FORMAT}"` }),
    version: z.number().int(),
    latentDim: z.number().int().min(1).max(4096),
    keyframes: z.array(keyframeSchema).min(2, 'a path needs at least 2 keyframes').max(1000),
    segments: z.array(z.enum(SEGMENT_MODES as [SegmentMode, ...SegmentMode[]])),
    frames: z.number().int().min(MIN_FRAMES).max(MAX_FRAMES),
    easing: z.enum(EASINGS as [Easing, ...Easing[]]).default('linear'),
    loop: z.enum(LOOP_MODES as [LoopMode, ...LoopMode[]]).default('none'),
    spacing: z.enum(SPACINGS as [Spacing, ...Spacing[]]).default('length'),
    fps: z.number().positive().max(240).optional(),
  })
  .strict();

/** Error for a path file that cannot be used; the message says where and what is wrong. */
export class PathSpecError extends Error {}

/**
 * Parses and validates a PathSpec from JSON text (or an already parsed value). Throws PathSpecError
 * naming the first problems, e.g. `keyframes[1].z: has 3 values but latentDim is 2`.
 * `expectedLatentDim` checks the path fits the model it will be decoded with.
 */
export function parsePathSpec(input: string | unknown, expectedLatentDim?: number, what = 'path file'): PathSpec {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.trim() === '') throw new PathSpecError(`${what} is empty`);
    try {
      value = JSON.parse(input);
    } catch (err) {
      // V8's message quotes the text; say only where (a refused file's contents are never echoed).
      const at = /position (\d+)/.exec((err as Error).message)?.[1];
      throw new PathSpecError(`${what} is not valid JSON (${at ? `error at character ${at}` : 'it ends too early'})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PathSpecError(`${what} must hold a JSON object, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const record = value as Record<string, unknown>;
  if (record.format !== PATH_FORMAT) {
    throw new PathSpecError(`${what} is not a Latentscape path (its "format" is ${record.format === undefined ? 'missing' : `not "${PATH_FORMAT}"`})`);
  }
  if (typeof record.version === 'number' && record.version > PATH_VERSION) {
    throw new PathSpecError(`${what} has format version ${record.version}, newer than this Latentscape reads (${PATH_VERSION}): update Latentscape`);
  }
  const parsed = pathSpecSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => {
      const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      return `${where}: ${issue.message}`;
    });
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new PathSpecError(`${what} is invalid: ${problems.join('; ')}${more}`);
  }
  const spec = parsed.data;
  if (spec.version !== PATH_VERSION) throw new PathSpecError(`${what} has unsupported format version ${spec.version} (expected ${PATH_VERSION})`);
  if (spec.keyframes.length * spec.latentDim > MAX_KEYFRAME_FLOATS) {
    throw new PathSpecError(`${what} is too large: ${spec.keyframes.length} keyframes of ${spec.latentDim} numbers (at most ${MAX_KEYFRAME_FLOATS} numbers)`);
  }
  spec.keyframes.forEach((k, i) => {
    if (k.z.length !== spec.latentDim) {
      throw new PathSpecError(`${what} is invalid: keyframes[${i}].z has ${k.z.length} values but latentDim is ${spec.latentDim}`);
    }
  });
  if (spec.segments.length !== spec.keyframes.length - 1) {
    throw new PathSpecError(
      `${what} is invalid: segments has ${spec.segments.length} entries but ${spec.keyframes.length} keyframes make ${spec.keyframes.length - 1} segments`,
    );
  }
  if (spec.loop === 'ping-pong' && spec.frames < 3) throw new PathSpecError(`${what} is invalid: frames must be at least 3 with ping-pong`);
  if (expectedLatentDim !== undefined && spec.latentDim !== expectedLatentDim) {
    throw new PathSpecError(`${what} has latent size ${spec.latentDim} but the model's latent size is ${expectedLatentDim}`);
  }
  return spec as PathSpec;
}

/** Builds a PathSpec from keyframes and options (validating them the same way interpolatePath does). */
export function makePathSpec(
  keyframes: readonly Float32Array[],
  options: PathOptions & { fps?: number; sources?: (KeyframeSource | undefined)[] },
): PathSpec {
  const modes = checkPathInputs(keyframes, options);
  return {
    format: PATH_FORMAT,
    version: PATH_VERSION,
    latentDim: keyframes[0].length,
    keyframes: keyframes.map((k, i) => {
      const source = options.sources?.[i];
      return source ? { z: Array.from(k), source } : { z: Array.from(k) };
    }),
    segments: modes,
    frames: options.frames,
    easing: options.easing ?? 'linear',
    loop: options.loop ?? 'none',
    spacing: options.spacing ?? 'length',
    ...(options.fps !== undefined ? { fps: options.fps } : {}),
  };
}

/** The keyframes and options a PathSpec describes, ready for interpolatePath. */
export function pathFromSpec(spec: PathSpec): { keyframes: Float32Array[]; options: PathOptions } {
  return {
    keyframes: spec.keyframes.map((k) => Float32Array.from(k.z)),
    options: { frames: spec.frames, mode: spec.segments, easing: spec.easing, loop: spec.loop, spacing: spec.spacing },
  };
}

export function serializePathSpec(spec: PathSpec): string {
  return JSON.stringify(spec, null, 2) + '\n';
}
