/**
 * The path file: a path through latent space as a JSON document (format "latentscape-path") that the
 * app saves and reopens and `latentscape interpolate --load-path/--save-path` reads and writes — so
 * the app and the CLI accept and refuse exactly the same files. Also the options of a path and their
 * validation (shared by interpolatePath in the engine), and the contract's PathDoc (keyframes as one
 * Float32Array) ↔ PathSpec conversion.
 *
 * Imports nothing from node, electron or the DOM.
 */
import { z } from 'zod';
import { ContractError, type PathDoc } from './contract';
import { MAX_KEYFRAME_FLOATS } from './limits';
import {
  EASINGS,
  EasingSchema,
  LOOP_MODES,
  LoopSchema,
  MAX_FRAMES,
  MIN_FRAMES,
  PathModeSchema,
  SEGMENT_MODES,
  SPACINGS,
  SpacingSchema,
  type Easing,
  type LoopMode,
  type SegmentMode,
  type Spacing,
} from './vocabulary';

export type { Easing, LoopMode, SegmentMode, Spacing } from './vocabulary';

export interface PathOptions {
  /** Total number of frames N (≥ 2; ≥ 3 with ping-pong). */
  frames: number;
  /** One mode for every segment, or one per segment (keyframes − 1 entries). Default linear. */
  mode?: SegmentMode | readonly SegmentMode[];
  easing?: Easing;
  loop?: LoopMode;
  spacing?: Spacing;
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

/** Validates keyframes and options; returns the per-segment modes. */
export function checkPathInputs(keyframes: readonly Float32Array[], options: PathOptions): SegmentMode[] {
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
    segments: z.array(PathModeSchema),
    frames: z.number().int().min(MIN_FRAMES).max(MAX_FRAMES),
    easing: EasingSchema.default('linear'),
    loop: LoopSchema.default('none'),
    spacing: SpacingSchema.default('length'),
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
      const where = issue.path.length
        ? issue.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : '(top level)';
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
export function makePathSpec(keyframes: readonly Float32Array[], options: PathOptions & { fps?: number; sources?: (KeyframeSource | undefined)[] }): PathSpec {
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

// ---------------------------------------------------------------------------------------------
// The contract's PathDoc ↔ PathSpec

export function docToSpec(doc: PathDoc): PathSpec {
  const d = doc.latentDim;
  const k = doc.keyframes.length / d;
  if (!Number.isInteger(k) || k < 2)
    throw new ContractError('bad-arguments', `the path's keyframes must hold k × ${d} numbers with k ≥ 2, got ${doc.keyframes.length}`);
  if (doc.sources.length !== 0 && doc.sources.length !== k)
    throw new ContractError('bad-arguments', `the path has ${k} keyframes but ${doc.sources.length} sources`);
  const keyframes = Array.from({ length: k }, (_, i) => doc.keyframes.subarray(i * d, (i + 1) * d));
  try {
    const spec = makePathSpec(keyframes, {
      frames: doc.frames,
      mode: doc.segments,
      easing: doc.easing,
      loop: doc.loop,
      spacing: doc.spacing,
      ...(doc.fps !== undefined ? { fps: doc.fps } : {}),
      sources: doc.sources.map((s) => s ?? undefined),
    });
    return spec;
  } catch (err) {
    throw new ContractError('bad-arguments', `the path is invalid: ${(err as Error).message}`);
  }
}

export function specToDoc(spec: PathSpec): PathDoc {
  const d = spec.latentDim;
  const keyframes = new Float32Array(spec.keyframes.length * d);
  spec.keyframes.forEach((k, i) => keyframes.set(k.z, i * d));
  return {
    latentDim: d,
    keyframes,
    sources: spec.keyframes.map((k) => (k.source ? { ...k.source } : null)),
    segments: [...spec.segments],
    frames: spec.frames,
    easing: spec.easing,
    loop: spec.loop,
    spacing: spec.spacing,
    ...(spec.fps !== undefined ? { fps: spec.fps } : {}),
  };
}
