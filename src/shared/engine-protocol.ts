/**
 * The engine process's protocol, declared once: for every operation the zod schema of its
 * arguments and of its result, and the schema of every event. The engine's handler table
 * (src/engine/handlers.ts) is typed by it and runEngineCall checks both sides at run time, the way
 * the contract is checked for the renderer (contract.ts + service/dispatch.ts).
 *
 * The service sends requests, the engine answers each one (same id) and sends events while it works
 * (ingest, training and export progress). The same messages go over child_process (serialization
 * 'advanced') and Electron's utilityProcess (structured clone), so typed arrays cross the boundary as
 * typed arrays.
 *
 * Imports nothing from node, electron or the DOM.
 */
import { z } from 'zod';
import {
  AbsolutePath,
  calls,
  DatasetFilesSchema,
  DatasetSourceSchema,
  DatasetSummarySchema,
  describeIssues,
  EmbeddingsSchema,
  EncodedImageSchema,
  EpochMetricsRecordSchema,
  EpochMetricsSchema,
  Float32ArraySchema,
  ImageFileSchema,
  ImagesSchema,
  Int32ArraySchema,
  InterpolationSchema,
  MAX_MODEL_SAMPLES,
  ModelSummarySchema,
  NearestSchema,
  ProjectionSchema,
  ReconstructionSchema,
  TrainSettingsSchema,
} from './contract';
import { TrainProgressSchema } from './training-progress';
import { ExportTimelineShape } from './video-schemas';
import { MAX_EXPORT_NOTE_CHARS } from './export-path-note';
import { AtlasSchema, explorerEngineRequests, PointStatsSchema, TrainSnapshotSchema } from './explorer-schemas';
import {
  ArchSchema,
  BackendNameSchema,
  ColorModeSchema,
  EasingSchema,
  FitModeSchema,
  BackgroundSchema,
  LikelihoodSchema,
  LoopSchema,
  LrScheduleSchema,
  SampleQualityStageSchema,
  NearestAmongSchema,
  NearestSpaceSchema,
  PathModeSchema,
  SpacingSchema,
} from './vocabulary';

const int = z.number().int();
const count = int.nonnegative();
const none = z.strictObject({});
const Cancelled = z.strictObject({ cancelled: z.boolean() });

/**
 * What a loaded model's manifest says, as the service needs it: the contract's ModelSummary without
 * what only the service knows (fits the dataset, is the default), with the metrics as recorded and
 * the training settings to resume with.
 */
export const EngineModelInfoSchema = ModelSummarySchema.omit({ metrics: true, fitsDataset: true, isDefault: true }).extend({
  metrics: z.array(EpochMetricsRecordSchema),
  training: z
    .strictObject({
      epochs: int,
      batchSize: int,
      lr: z.number(),
      beta: z.number(),
      binarize: z.boolean(),
      seed: int,
      limit: int.optional(),
      lrSchedule: LrScheduleSchema.optional(),
      /** Recorded only when used (resume keeps them). */
      klWarmup: z.number().optional(),
      freeBits: z.number().optional(),
    })
    .nullable(),
});
export type EngineModelInfo = z.infer<typeof EngineModelInfoSchema>;

/** A model folder as the library lists it: the manifest's facts plus its dates and the dataset it was trained on. */
export const EngineModelInspectionSchema = z.strictObject({
  info: EngineModelInfoSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The training dataset as recorded: its kind and, for a folder, its path and preprocessing (null: not recorded). */
  dataset: z
    .strictObject({
      kind: z.enum(['mnist', 'folder']),
      path: z.string().nullable(),
      size: int.min(8).max(512).nullable(),
      color: ColorModeSchema.nullable(),
      fit: FitModeSchema.nullable(),
      /** What its transparency was flattened onto (a folder recorded without one: black, as before the setting). */
      background: BackgroundSchema.nullable(),
    })
    .nullable(),
});
export type EngineModelInspection = z.infer<typeof EngineModelInspectionSchema>;

const PathArgs = {
  keyframes: Float32ArraySchema,
  frames: int.min(2),
  mode: z.union([PathModeSchema, z.array(PathModeSchema)]),
};

export const engineCalls = {
  /** Picks the backend (or the one asked for) and reports it with the engine's pid. */
  init: {
    input: z.strictObject({ backend: z.string().optional() }),
    output: z.strictObject({
      backend: BackendNameSchema,
      fallbacks: z.array(z.string()),
      adapter: z.string().optional(),
      noGpu: z.string().optional(),
      pid: int.positive(),
    }),
  },
  openDataset: { input: DatasetSourceSchema, output: DatasetSummarySchema },
  /** Trains into `dir` (a checkpoint every epoch); resolves when the run ends (done or cancelled). */
  train: {
    input: z.strictObject({
      dir: AbsolutePath,
      resume: z.boolean(),
      arch: ArchSchema,
      latentDim: int,
      epochs: int.min(1),
      batchSize: int.min(1),
      lr: z.number().positive(),
      /** How the rate changes over the run (absent: constant). */
      lrSchedule: LrScheduleSchema.optional(),
      beta: z.number().min(0),
      likelihood: LikelihoodSchema,
      /** Gaussian only: a learned (calibrated) scale instead of σ = 1. */
      learnedScale: z.boolean().optional(),
      binarize: z.boolean(),
      seed: int,
      limit: int.min(1).optional(),
      /** Train only on these images (dataset indices): a selection of the view. */
      subset: Int32ArraySchema.optional(),
      /** Stop at the end of the epoch that would pass this many seconds of wall clock (`epochs` is the cap). */
      timeBudget: z.strictObject({ seconds: z.number().positive(), clock: z.literal('wall') }).optional(),
      /** The contract's decoder options (absent: the trainer's defaults, today's model). */
      decoderUpsample: TrainSettingsSchema.shape.decoderUpsample,
      residualBlocks: TrainSettingsSchema.shape.residualBlocks,
      klWarmup: TrainSettingsSchema.shape.klWarmup,
      freeBits: TrainSettingsSchema.shape.freeBits,
    }),
    output: z.strictObject({
      epochsCompleted: count,
      cancelled: z.boolean(),
      /** The run stopped because its time budget was reached. */
      budgetReached: z.boolean(),
      model: EngineModelInfoSchema.nullable(),
      /** The loss exploded in `epoch` (not saved; `model` is then null: the open model stays); absent when it did not. */
      diverged: z.strictObject({ epoch: int.min(1), message: z.string() }).optional(),
    }),
  },
  cancel: { input: none, output: Cancelled },
  loadModel: { input: z.strictObject({ dir: AbsolutePath }), output: EngineModelInfoSchema },
  /**
   * Reads and checks a model folder's manifest (nothing opened): the library lists it. With `verify`, its
   * weight files are read and checked too (size, checksum, finite numbers), without building a model.
   */
  inspectModel: { input: z.strictObject({ dir: AbsolutePath, verify: z.boolean().optional() }), output: EngineModelInspectionSchema },
  /**
   * `count` images decoded from z drawn with `seed` from the model's fitted latent density (N(0, I) for a
   * model without one), by the model in `dir` loaded on the side:
   * the open model, dataset and embeddings are left as they are, and every tensor is disposed.
   */
  modelSamples: {
    input: z.strictObject({ dir: AbsolutePath, count: int.min(1).max(MAX_MODEL_SAMPLES), seed: int }),
    output: ImagesSchema,
  },
  embed: { input: none, output: EmbeddingsSchema },
  decode: { input: z.strictObject({ z: Float32ArraySchema }), output: ImagesSchema },
  reconstruct: { input: z.strictObject({ index: int.min(0) }), output: ReconstructionSchema },
  /** Each image's file relative to the dataset's folder (null for MNIST). */
  datasetFiles: { input: none, output: DatasetFilesSchema },
  nearest: {
    input: z.strictObject({ z: Float32ArraySchema, k: int.min(1), space: NearestSpaceSchema.optional(), among: NearestAmongSchema.optional() }),
    output: NearestSchema,
  },
  pointStats: { input: explorerEngineRequests.pointStats, output: PointStatsSchema },
  atlas: { input: explorerEngineRequests.atlas, output: AtlasSchema },
  fitProjection: { input: explorerEngineRequests.fitProjection, output: ProjectionSchema },
  interpolate: {
    input: z.strictObject({ ...PathArgs, easing: EasingSchema, loop: LoopSchema, spacing: SpacingSchema, decode: z.boolean() }),
    output: InterpolationSchema,
  },
  export: {
    input: z.strictObject({
      path: AbsolutePath,
      ...PathArgs,
      easing: EasingSchema.optional(),
      loop: LoopSchema.optional(),
      spacing: SpacingSchema.optional(),
      fps: int.min(1),
      scale: int.min(1),
      hold: ExportTimelineShape.hold,
      loops: ExportTimelineShape.loops,
      equalChange: ExportTimelineShape.equalChange,
      quality: ExportTimelineShape.quality,
      /** The path as a note inside the file (shared/export-path-note.ts), made by the service. */
      note: z.string().max(MAX_EXPORT_NOTE_CHARS).optional(),
    }),
    output: calls.export.output,
  },
  /** An export's frames decoded in the order shown (hold frames, repeats), for the page to encode (MP4). */
  exportFrames: {
    input: z.strictObject({
      ...PathArgs,
      easing: EasingSchema.optional(),
      loop: LoopSchema.optional(),
      spacing: SpacingSchema.optional(),
      hold: ExportTimelineShape.hold,
      loops: ExportTimelineShape.loops,
      equalChange: ExportTimelineShape.equalChange,
    }),
    output: ImagesSchema,
  },
  exportCancel: { input: none, output: Cancelled },
  exportImage: { input: z.strictObject({ path: AbsolutePath, z: Float32ArraySchema, scale: int.min(1).max(8) }), output: calls.exportImage.output },
  /** One image file encoded with the open model's preprocessing, and its `k` nearest training images (contract: encodeImage). */
  encodeImage: { input: ImageFileSchema.extend({ k: int.min(1).max(100) }), output: EncodedImageSchema },
} as const;

export type EngineOp = keyof typeof engineCalls;
/** What the service passes (defaults not yet applied). */
export type EngineArgs<O extends EngineOp> = z.input<(typeof engineCalls)[O]['input']>;
/** What a handler receives: the arguments as parsed. */
export type EngineParsedArgs<O extends EngineOp> = z.output<(typeof engineCalls)[O]['input']>;
export type EngineResult<O extends EngineOp> = z.output<(typeof engineCalls)[O]['output']>;
export type EngineResults = { [O in EngineOp]: EngineResult<O> };

/** One function per operation: what the engine process does for it. */
export type EngineHandlers = { [O in EngineOp]: (args: EngineParsedArgs<O>) => EngineResult<O> | Promise<EngineResult<O>> };

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ingest'), done: count, total: count }),
  /** The training's progress record (shared/training-progress.ts), as the service passes it on. */
  TrainProgressSchema.extend({ type: z.literal('step') }),
  TrainSnapshotSchema.omit({ runId: true }).extend({ type: z.literal('snapshot') }),
  EpochMetricsSchema.extend({ type: z.literal('epoch'), epochs: int }),
  z.strictObject({ type: z.literal('checkpoint'), epoch: int, dir: z.string() }),
  /** After a run: measuring its model's sample distance (engine/quality/model-quality.ts). */
  z.strictObject({ type: z.literal('quality'), stage: SampleQualityStageSchema, done: count, total: count }),
  z.strictObject({ type: z.literal('export'), stage: z.enum(['decode', 'encode']), done: count, total: count }),
  z.strictObject({ type: z.literal('log'), message: z.string() }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export type ToEngine = { kind: 'request'; id: number; op: EngineOp; args: unknown };
export type FromEngine =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: { message: string; code?: string } }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'ready'; pid: number };

/** An engine operation refused or failed; `code` says why ('bad-arguments', 'busy', 'no-model', …). */
export class EngineCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isEngineOp(op: unknown): op is EngineOp {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(engineCalls, op);
}

/**
 * Runs one request against the handler table: the operation's name is checked, its arguments parsed
 * by its schema (strict: extra fields refused), the handler run, and its result checked too (a result
 * outside the protocol is a bug in the engine: refused with code 'internal' rather than sent on).
 */
export async function runEngineCall(handlers: EngineHandlers, op: unknown, raw: unknown): Promise<unknown> {
  if (!isEngineOp(op)) throw new EngineCallError('unknown-op', `the engine has no operation "${String(op).slice(0, 80)}"`);
  const call = engineCalls[op];
  const parsed = call.input.safeParse(raw);
  if (!parsed.success) throw new EngineCallError('bad-arguments', `engine ${op}: ${describeIssues(parsed.error)}`);
  const value = await (handlers[op] as (args: unknown) => unknown)(parsed.data);
  const checked = call.output.safeParse(value);
  if (!checked.success) throw new EngineCallError('internal', `engine ${op}: the result is outside the protocol (${describeIssues(checked.error)})`);
  return checked.data;
}

/** Checks an event against the protocol: the event, or the reason it is refused. */
export function checkEngineEvent(event: unknown): { ok: true; event: EngineEvent } | { ok: false; reason: string } {
  const parsed = EngineEventSchema.safeParse(event);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}
