/**
 * The contract between the renderer and the app: every call and event, declared once with a zod
 * schema that is both the runtime check (in Electron's main process and in the serve host) and the
 * TypeScript type (everywhere). Objects are strict: unknown fields are refused. Big arrays are typed
 * arrays (structured clone over IPC, binary frames over the WebSocket), never JSON number lists.
 *
 * Longer than 450 lines on purpose: this file is the one table of every call and event, and the
 * shapes they carry; the words they use are in vocabulary.ts, the sizes in limits.ts, the explorer's
 * part in explorer-schemas.ts.
 *
 * Imports nothing from node, electron or the DOM.
 */
import { z } from 'zod';
import type { CallName, EventName } from './names';
import { explorerCalls, explorerEvents } from './explorer-schemas';
import { AbsolutePath, ImagesSchema } from './base-schemas';
import { libraryCalls } from './library-schemas';
import { imageInCalls, imageInEvents } from './image-in-schemas';
import { metadataCalls } from './metadata-schemas';
import { TrainingStatusSchema, TrainSettingsSchema } from './training-schemas';
import { EpochMetricsSchema, SampleQualitySchema } from './metrics-schemas';
import { LatentDensitySchema } from './latent-density';
import { PathDocSchema, PathShape, ProjectViewSchema } from './view-schemas';
import { ExportTimelineShape, videoCalls } from './video-schemas';
import { MAX_DECODE_FLOATS, MAX_LATENT, MAX_PATH_CHARS, boundedFloat32Array } from './limits';
import { GenerationSchema } from './generation';
import { TrainProgressSchema } from './training-progress';
import {
  ArchSchema,
  BackendNameSchema,
  ChannelsSchema,
  ColorModeSchema,
  ExportKindSchema,
  FitModeSchema,
  BackgroundSchema,
  LikelihoodSchema,
  LinearKindSchema,
  NearestAmongSchema,
  NearestSpaceSchema,
  SampleQualityStageSchema,
} from './vocabulary';

export * from './base-schemas';
export * from './names';
export * from './explorer-schemas';
export * from './library-schemas';
export * from './image-in-schemas';
export * from './metadata-schemas';
export * from './training-schemas';
export * from './metrics-schemas';
export * from './view-schemas';
export * from './kept-view-schemas';
export * from './limits';
export * from './vocabulary';
export * from './generation';
export * from './training-progress';
export * from './video-schemas';

// ---------------------------------------------------------------------------------------------
// Building blocks

const int = z.number().int();
const count = int.nonnegative();

export const Float32ArraySchema = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
export const Int32ArraySchema = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });

export const DatasetSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('mnist') }),
  z.strictObject({
    kind: z.literal('folder'),
    path: AbsolutePath,
    /** Images are resized to size × size (default 64; 28/32/64/128 suit the conv model). */
    size: int.min(8).max(512).optional(),
    color: ColorModeSchema.optional(),
    fit: FitModeSchema.optional(),
    /** What transparent pixels are flattened onto (and contain pads with); absent: DEFAULT_BACKGROUND (white). */
    background: BackgroundSchema.optional(),
  }),
]);
export type DatasetSource = z.infer<typeof DatasetSourceSchema>;

export const DatasetSummarySchema = z.strictObject({
  name: z.string(),
  source: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('mnist') }), z.strictObject({ kind: z.literal('folder'), path: z.string() })]),
  count,
  trainCount: count,
  testCount: count,
  height: int.positive(),
  width: int.positive(),
  channels: ChannelsSchema,
  labelNames: z.array(z.string()),
  fingerprint: z.string(),
  /** Files of a folder that could not be read, with the reason. */
  skipped: z.array(z.strictObject({ file: z.string(), reason: z.string() })),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const ModelSummarySchema = z.strictObject({
  dir: z.string(),
  arch: ArchSchema,
  latentDim: int,
  likelihood: LikelihoodSchema,
  height: int.positive(),
  width: int.positive(),
  channels: ChannelsSchema,
  epochsCompleted: count,
  /** The epochs the training that wrote it asked for (null for a model without training settings). */
  epochsPlanned: count.nullable(),
  metrics: z.array(EpochMetricsSchema),
  datasetName: z.string().nullable(),
  datasetFingerprint: z.string().nullable(),
  /** Fréchet distances of its samples, as `latentscape eval --record` measured them (absent: not measured). */
  sampleQuality: SampleQualitySchema.optional(),
  /** Whether the open dataset's images have this model's size (so it can embed/reconstruct them). */
  fitsDataset: z.boolean(),
  isDefault: z.boolean(),
  /**
   * The density of the training images' means in latent space (shared/latent-density.ts): draw random
   * latents from it and fill in a view's unseen dimensions with its conditional mean. Absent for a model
   * without one (format 1, or a cancelled training): N(0, I) is then the only prior.
   */
  latentDensity: LatentDensitySchema.optional(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const EngineStateSchema = z.enum(['starting', 'ready', 'crashed', 'failed', 'stopped']);
export type EngineState = z.infer<typeof EngineStateSchema>;

export const StatusSchema = z.strictObject({
  backend: BackendNameSchema.nullable(),
  /** Why faster backends were passed over (e.g. "tensorflow: tfjs-node is not installed"). */
  fallbacks: z.array(z.string()),
  /** The adapter the webgpu backend runs on (e.g. "NVIDIA GeForce RTX 3060"); absent on the other backends. */
  adapter: z.string().optional(),
  /**
   * The entry of `fallbacks` that only says the machine has no GPU to use (no WebGPU adapter, or a software
   * one passed over): the status bar tells it in a tooltip, not as a warning.
   */
  noGpu: z.string().optional(),
  engine: z.strictObject({
    state: EngineStateSchema,
    restarts: count,
    message: z.string().nullable(),
    /** Only when the host runs with LATENTSCAPE_EXPOSE_ENGINE_PID=1 (tests kill the engine with it). */
    pid: int.positive().optional(),
  }),
  dataset: DatasetSummarySchema.nullable(),
  model: ModelSummarySchema.nullable(),
  training: TrainingStatusSchema,
  project: z.strictObject({ path: z.string() }).nullable(),
  embeddingsReady: z.boolean(),
  /** The generation of what is open (shared/generation.ts). */
  generation: GenerationSchema,
  /** The folders the user chose (dialogs, drag-and-drop, the serve host's --allow list). */
  allowedRoots: z.array(z.string()),
  dataDir: z.string(),
  /** Whether native file dialogs exist (Electron) or paths are typed (browser). */
  nativeDialogs: z.boolean(),
  /** Where save paths default to, never the dataset's folder (Electron: the OS pictures folder's Latentscape/; serve: the data dir's exports/). */
  exportsDir: z.string(),
});
export type Status = z.infer<typeof StatusSchema>;

export const ProjectionSchema = z.strictObject({
  kind: LinearKindSchema,
  latentDim: int,
  /** d numbers (small: d ≤ 64). */
  mean: z.array(z.number()),
  /** 3 rows of d numbers: the view axes in latent space. */
  axes: z.array(z.array(z.number())),
  explained: z.array(z.number()),
});
export type Projection = z.infer<typeof ProjectionSchema>;

export const EmbeddingsSchema = z.strictObject({
  count,
  latentDim: int,
  /** Dataset index of each point. */
  ids: Int32ArraySchema,
  /** Label index of each point (−1: none). */
  labels: Int32ArraySchema,
  labelNames: z.array(z.string()),
  /** count × latentDim: μ(x) of q(z|x). */
  mu: Float32ArraySchema,
  /** count × 3: μ in the 3D view (the projection applied). */
  view: Float32ArraySchema,
  projection: ProjectionSchema,
  modelEpoch: count,
});
export type Embeddings = z.infer<typeof EmbeddingsSchema>;

/** A result computed for what is open, with the generation it was computed for (shared/generation.ts). */
function stamped<S extends z.core.$ZodShape, C extends z.core.$ZodObjectConfig>(schema: z.ZodObject<S, C>) {
  return schema.extend({ generation: GenerationSchema });
}

export const ReconstructionSchema = z.strictObject({ index: count, label: int, original: ImagesSchema, reconstruction: ImagesSchema, mu: Float32ArraySchema });
export const NearestSchema = z.strictObject({ ids: Int32ArraySchema, distances: Float32ArraySchema });
export const DatasetFilesSchema = z.strictObject({ files: z.array(z.string().max(MAX_PATH_CHARS)).nullable() });
export const InterpolationSchema = z.strictObject({ z: Float32ArraySchema, frames: count, latentDim: int, images: ImagesSchema.nullable() });

export const ExportResultSchema = z.strictObject({ kind: ExportKindSchema, path: z.string(), bytes: count, files: count });

export const ProjectSummarySchema = z.strictObject({
  path: z.string(),
  dataset: DatasetSummarySchema.nullable(),
  model: ModelSummarySchema.nullable(),
  /** sha256 of the project model's weights (null: no model). */
  weightsHash: z.string().nullable(),
  view: ProjectViewSchema.nullable(),
  /** The project's image folder when it is not where the project says: relocate it (projectRelocate). */
  missingFolder: z.string().nullable(),
});
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const RecentProjectSchema = z.strictObject({ path: z.string(), name: z.string(), savedAt: z.string(), exists: z.boolean() });

const none = z.strictObject({});
/** A started run: its folder, its epochs (the cap when it has a time budget) and its budget (null: none). */
const RunSchema = z.strictObject({ runId: z.string(), dir: z.string(), epochs: int, timeBudgetSeconds: z.number().positive().nullable() });

// ---------------------------------------------------------------------------------------------
// Calls: renderer → app

/**
 * The user confirmed writing inside the open dataset's folder: without it such a save is refused
 * with the code 'inside-dataset' (the next ingest would read the file as an image).
 */
const insideDataset = z.literal(true).optional();
export type InsideDatasetConfirmed = { insideDataset?: true };

export const calls = {
  status: { input: none, output: StatusSchema },
  /** A native dialog (Electron). In the browser there is none: `supported` is false and the user types a path. */
  choosePath: {
    input: z.strictObject({
      purpose: z.enum([
        'dataset',
        'project-open',
        'project-save',
        'export',
        'export-image',
        'export-points',
        'path-save',
        'path-open',
        'relocate',
        'model-import',
        'model-export',
        'selection-export',
        'selection-list',
        'metadata-open',
      ]),
      /** A suggested file name (with the extension of the chosen format). */
      defaultName: z.string().min(1).max(255).optional(),
    }),
    output: z.strictObject({ path: z.string().nullable(), supported: z.boolean() }),
  },
  openDataset: { input: z.strictObject({ source: DatasetSourceSchema }), output: DatasetSummarySchema },
  trainStart: { input: TrainSettingsSchema, output: RunSchema },
  trainCancel: { input: none, output: z.strictObject({ cancelled: z.boolean() }) },
  /** Continues the open model's training from its last checkpoint, up to `epochs` in total. */
  trainResume: { input: z.strictObject({ epochs: int.min(1).max(100_000).optional() }), output: RunSchema },
  embeddings: { input: none, output: stamped(EmbeddingsSchema) },
  /** Each image's file, relative to the dataset's folder, by dataset index (null: a dataset without files, MNIST). */
  datasetFiles: { input: none, output: stamped(DatasetFilesSchema) },
  /** The linear projection of the embeddings (the default: identity for d ≤ 3, else PCA), or the one asked for. */
  projection: { input: z.strictObject({ kind: LinearKindSchema.optional() }), output: stamped(ProjectionSchema) },
  /** Decodes n latent vectors given as n × d floats. */
  decode: { input: z.strictObject({ z: boundedFloat32Array(MAX_DECODE_FLOATS, 'z') }), output: stamped(ImagesSchema) },
  reconstruct: { input: z.strictObject({ index: count }), output: stamped(ReconstructionSchema) },
  nearest: {
    input: z.strictObject({
      z: boundedFloat32Array(MAX_LATENT, 'z'),
      k: int.min(1).max(1000),
      /** 'latent' (default): by the distance of μ to z; 'pixel': by the pixel distance of the images to decode(z). */
      space: NearestSpaceSchema.optional(),
      /** 'all' (default) or only the training split (a memorization check). */
      among: NearestAmongSchema.optional(),
    }),
    output: stamped(NearestSchema),
  },
  ...explorerCalls,
  pointStats: { ...explorerCalls.pointStats, output: stamped(explorerCalls.pointStats.output) },
  ...libraryCalls,
  ...imageInCalls,
  ...metadataCalls,
  ...videoCalls,
  /** The frames of a path (frames × d) and, with `decode`, their images in one batched decode (the preview). */
  interpolate: {
    input: z.strictObject({ ...PathShape, decode: z.boolean().optional() }),
    output: stamped(InterpolationSchema),
  },
  /**
   * Decodes a path through latent space and writes it (the kind follows the path: .gif, .webm,
   * .png sprite sheet, folder/ of PNG frames). One export at a time; progress comes as
   * exportProgress events, exportCancel stops it and nothing is written.
   */
  export: {
    input: z.strictObject({
      path: AbsolutePath,
      ...PathShape,
      fps: int.min(1).max(120).optional(),
      scale: int.min(1).max(8).optional(),
      ...ExportTimelineShape,
      insideDataset,
    }),
    output: ExportResultSchema,
  },
  exportCancel: { input: none, output: z.strictObject({ cancelled: z.boolean() }) },
  /** One decoded latent point (d numbers) as a PNG, upscaled ×scale (nearest). */
  exportImage: {
    input: z.strictObject({ path: AbsolutePath, z: boundedFloat32Array(MAX_LATENT, 'z'), scale: int.min(1).max(8).optional(), insideDataset }),
    output: z.strictObject({ path: z.string(), bytes: count }),
  },
  /** The embeddings as CSV: id, label, z0…z(d−1), x, y, z (the 3D view). */
  exportPoints: { input: z.strictObject({ path: AbsolutePath, insideDataset }), output: z.strictObject({ path: z.string(), bytes: count, rows: count }) },
  /** Writes a path as the path JSON file (the format `latentscape interpolate --load-path` reads). */
  pathSave: { input: z.strictObject({ path: AbsolutePath, doc: PathDocSchema, insideDataset }), output: z.strictObject({ path: z.string(), bytes: count }) },
  pathOpen: { input: z.strictObject({ path: AbsolutePath }), output: PathDocSchema },
  /** Saves the project (model, embeddings, dataset source, and the view: the given one or the last projectUpdate's). */
  projectSave: {
    input: z.strictObject({ path: AbsolutePath, view: ProjectViewSchema.optional(), insideDataset }),
    output: z.strictObject({ path: z.string() }),
  },
  projectOpen: { input: z.strictObject({ path: AbsolutePath }), output: ProjectSummarySchema },
  /** The view changed: remembered for the next save, and written to the open project now when `autosave`. */
  projectUpdate: {
    input: z.strictObject({ view: ProjectViewSchema, autosave: z.boolean() }),
    output: z.strictObject({ saved: z.boolean(), path: z.string().nullable() }),
  },
  recentProjects: { input: none, output: z.strictObject({ projects: z.array(RecentProjectSchema) }) },
  /** The open project and the view the app holds for it (a page that (re)loads starts from it). */
  projectCurrent: {
    input: none,
    output: z.strictObject({ path: z.string().nullable(), view: ProjectViewSchema.nullable(), missingFolder: z.string().nullable() }),
  },
  /** The open project's image folder moved: open it from `folder` and remember the new place. */
  projectRelocate: { input: z.strictObject({ folder: AbsolutePath }), output: DatasetSummarySchema },
} as const satisfies Record<CallName, { input: z.ZodType; output: z.ZodType }>;

// ---------------------------------------------------------------------------------------------
// Events: app → renderer

export const events = {
  engine: z.strictObject({
    state: EngineStateSchema,
    message: z.string().nullable(),
    restarts: count,
    /** True when the engine came back after a failure and the last checkpoint was reloaded. */
    restarted: z.boolean(),
  }),
  notice: z.strictObject({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  ingestProgress: z.strictObject({ done: count, total: count }),
  /** Another dataset or model was opened: results and events stamped with an older generation are stale. Sent before datasetChanged/modelChanged. */
  generationChanged: z.strictObject({ generation: GenerationSchema }),
  datasetChanged: DatasetSummarySchema.nullable(),
  modelChanged: ModelSummarySchema.nullable(),
  /** The engine's progress record as it sent it, with the run's id and generation and the service's clock. */
  trainProgress: TrainProgressSchema.extend({
    runId: z.string(),
    generation: GenerationSchema,
    /** Seconds since the run started (the service's clock): a page reloaded mid-run shows the right time. */
    elapsedSeconds: z.number().min(0),
  }),
  /** The service's training status, after every change of state (service/training-state.ts). */
  trainingStatus: TrainingStatusSchema,
  trainEpoch: EpochMetricsSchema.extend({ runId: z.string(), epochs: int, generation: GenerationSchema }),
  trainCheckpoint: z.strictObject({ runId: z.string(), epoch: int, dir: z.string(), generation: GenerationSchema }),
  trainEnded: z.strictObject({
    runId: z.string(),
    generation: GenerationSchema,
    status: z.enum(['done', 'cancelled', 'failed', 'diverged']),
    epochsCompleted: count,
    error: z.string().nullable(),
    /** Done because the time budget was reached (before the epochs cap). */
    budgetReached: z.boolean(),
  }),
  /** After a run's last epoch: measuring its model's sample distance (it ends with trainEnded). */
  trainQuality: z.strictObject({ runId: z.string(), stage: SampleQualityStageSchema, done: count, total: count }),
  embeddingsReady: z.strictObject({ count, modelEpoch: count, generation: GenerationSchema }),
  ...explorerEvents,
  trainSnapshot: stamped(explorerEvents.trainSnapshot),
  /** A native menu item the renderer acts on. */
  menu: z.strictObject({ action: z.enum(['export', 'project-open', 'project-save']) }),
  exportProgress: z.strictObject({ stage: z.enum(['decode', 'encode']), done: count, total: count }),
  /** A project was opened (from the page or a menu): the renderer restores its view. */
  projectOpened: ProjectSummarySchema,
  /** The open project's image folder is not where it was saved: ask the user where it went. */
  projectMissingFolder: z.strictObject({ project: z.string(), folder: z.string() }),
  /** Another dataset or model was opened: the project is closed as it was saved, never rewritten with them. */
  projectClosed: z.strictObject({ path: z.string(), reason: z.string() }),
  ...imageInEvents,
} as const satisfies Record<EventName, z.ZodType>;

// ---------------------------------------------------------------------------------------------
// Types

export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.output<(typeof calls)[K]['output']>;
export type EventData<E extends EventName> = z.output<(typeof events)[E]>;

export interface RpcError {
  /** bad-arguments | unknown-call | path-not-allowed | inside-dataset | forbidden | engine | failed … */
  code: string;
  message: string;
}
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: RpcError };

/** Every call as an async function: what the renderer programs against on either transport. */
export type ContractApi = { [K in CallName]: (args: CallInput<K>) => Promise<CallOutput<K>> };

/** An error that carries an RpcError code across the transports. */
export class ContractError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/** "source.path: path must be absolute; Unrecognized key: \"x\"" — the readable form of a zod error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses a call's arguments or throws a ContractError('bad-arguments') naming the call and the field. */
export function parseCallInput<K extends CallName>(name: K, args: unknown): z.output<(typeof calls)[K]['input']> {
  let parsed: ReturnType<(typeof calls)[K]['input']['safeParse']>;
  try {
    parsed = calls[name].input.safeParse(args === undefined ? {} : args) as typeof parsed;
  } catch {
    // zod's length checks still run on a value that failed its type check, and throw on an object
    // whose "length" cannot become a number (found by test/unit/fuzz/contract.test.ts).
    throw new ContractError('bad-arguments', `${name}: invalid arguments: a value has the wrong type`);
  }
  if (!parsed.success) throw new ContractError('bad-arguments', `${name}: invalid arguments: ${describeIssues(parsed.error)}`);
  return parsed.data as z.output<(typeof calls)[K]['input']>;
}
