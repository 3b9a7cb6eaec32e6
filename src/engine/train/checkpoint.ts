/**
 * Model directories: manifest.json (format, config, training settings, dataset fingerprint, metrics per
 * epoch, weight specs and checksums) + weights.bin (+ optimizer.bin for resuming).
 *
 * Written with tfjs's weight encoding but our own file IO (works on every backend, no file:// handler),
 * into a temporary sibling directory that is then swapped into place (node/dir-swap.ts), so a crash
 * never leaves half a model, and one between the swap's two renames is repaired by the next open.
 * Loading checks everything it can and says what is wrong.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdir, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { MAX_PARAMETERS, Vae, parameterShapes, validateConfig, type VaeConfig } from '../model/vae';
import { ACC_BETA1, ACC_BETA2 } from '../kernels/adam';
import { EpochMetricsRecordSchema, SampleQualityRecordSchema } from '../../shared/contract';
import { ArchSchema, ChannelsSchema, DecoderUpsampleSchema, LikelihoodSchema } from '../../shared/vocabulary';
import { LatentDensityJsonSchema, densityToJson, type LatentDensity } from '../../shared/latent-density';
import { recoverDir, swapDirInto, tempStage } from '../../node/dir-swap';
import { asDiskFull } from '../../node/files';
import { childPath, isPlainName, parseJsonQuietly, readRegularFile, readRegularFileParts, UnsafeFileError } from '../../node/safe-read';

/** manifest.json is a few kilobytes (metrics grow by one line per epoch); anything near this is not one. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** weights.bin holds at most MAX_PARAMETERS floats; optimizer.bin two per parameter and a step counter. */
const MAX_WEIGHTS_BYTES = 4 * MAX_PARAMETERS;
const MAX_OPTIMIZER_BYTES = 2 * MAX_WEIGHTS_BYTES + 64;

export const MODEL_FORMAT = 'latentscape-model';
/** 2: the manifest may carry `latentDensity`. Format 1 (no density) still loads: it samples from N(0, I). */
export const MODEL_FORMAT_VERSION = 2;

const WeightSpec = z.object({
  name: z.string().max(200),
  shape: z.array(z.number().int().nonnegative().max(MAX_PARAMETERS)).max(8),
  dtype: z.enum(['float32', 'int32']),
});

const WeightsFile = z.object({
  /** A plain file name inside the model folder. */
  file: z.string().refine(isPlainName, 'must be a plain file name inside the model folder'),
  bytes: z.number().int().nonnegative().max(MAX_OPTIMIZER_BYTES),
  sha256: z.string().length(64),
  specs: z.array(WeightSpec).max(256),
});

/**
 * An epoch's metrics in a manifest: the engine's record (declared once, in the contract) plus the backend
 * that trained it. Lenient where the contract is strict: keys a newer or older version wrote are dropped,
 * so a model folder still opens.
 */
export const EpochMetricsSchema = z.object({ ...EpochMetricsRecordSchema.shape, backend: z.string() });
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

export const TrainingSettingsSchema = z.object({
  epochs: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  lr: z.number().positive(),
  beta: z.number().nonnegative(),
  binarize: z.boolean(),
  seed: z.number().int(),
  limit: z.number().int().nonnegative().optional(),
  /** 'cosine': the rate decays over the run (lr-schedule.ts); absent: constant (older models too). */
  lrSchedule: z.enum(['constant', 'cosine']).optional(),
  /** KL warm-up: the KL's weight rises from 0 to β over this fraction of the run (trainer.ts klWeightAt); absent: none. */
  klWarmup: z.number().min(0).max(1).optional(),
  /** Free bits: nats per latent dimension below which the KL is not penalised (elbo-ops.ts klFreeBitsMean); absent: none. */
  freeBits: z.number().nonnegative().optional(),
});
export type TrainingSettings = z.infer<typeof TrainingSettingsSchema>;

export const DatasetInfoSchema = z.object({
  name: z.string(),
  source: z.union([z.object({ kind: z.literal('mnist') }), z.object({ kind: z.literal('folder'), path: z.string() })]),
  fingerprint: z.string(),
  count: z.number().int().nonnegative(),
  labelNames: z.array(z.string()),
  /** What was done to the images (size, color, fit, background…); a folder model without `background` was flattened onto black (shared/background.ts). */
  preprocessing: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

const VaeConfigSchema = z.object({
  arch: ArchSchema,
  latentDim: z.number().int(),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: ChannelsSchema,
  likelihood: LikelihoodSchema,
  learnedScale: z.boolean(),
  hidden: z.number().int().positive(),
  filters: z.array(z.number().int().positive()),
  /** Absent in models from before the options: a transposed-convolution decoder without residual blocks. */
  decoderUpsample: DecoderUpsampleSchema.optional(),
  residualBlocks: z.number().int().nonnegative().optional(),
});

/**
 * The epoch rows a manifest keeps: the latest ones (a 54k-row manifest took ~1 GB to load and send). More
 * rows than this are trimmed to the latest when saved and when read; the model itself is unaffected.
 */
export const MAX_METRIC_ROWS = 10_000;

/** Strict at the top: a key this version does not know is refused (the metric rows stay lenient, above). */
export const ModelManifestSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  config: VaeConfigSchema,
  training: TrainingSettingsSchema.nullable(),
  dataset: DatasetInfoSchema.nullable(),
  epochsCompleted: z.number().int().nonnegative(),
  metrics: z.array(EpochMetricsSchema).max(MAX_METRIC_ROWS),
  weights: WeightsFile,
  optimizer: WeightsFile.extend({ kind: z.literal('adam') }).nullable(),
  /** What a training step carries over besides weights and Adam (exact resume); absent in older models. */
  stepState: z
    .object({
      scaleMse: z.number().nullable(),
      /** The learning-rate decay's plan (lr-schedule.ts); absent for a constant rate and in older models. */
      lrPlan: z.object({ fromEpoch: z.number().int().nonnegative(), toEpoch: z.number().int().positive() }).nullable().optional(),
    })
    .nullable()
    .optional(),
  /** Fréchet distances of its samples (`latentscape eval --record`, engine/quality); lenient as the metrics are. */
  sampleQuality: z.object(SampleQualityRecordSchema.shape).optional(),
  /** The density of the training images' means in latent space (shared/latent-density.ts); absent before format 2. */
  latentDensity: LatentDensityJsonSchema.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export interface SaveExtras {
  training?: TrainingSettings | null;
  dataset?: DatasetInfo | null;
  epochsCompleted?: number;
  metrics?: EpochMetrics[];
  /** Adam state, in the model's parameter order, for exact resume. */
  optimizer?: tf.Optimizer | null;
  /** The training step's own state (trainer.ts StepState), for exact resume. */
  stepState?: { scaleMse: number | null; lrPlan?: { fromEpoch: number; toEpoch: number } | null } | null;
  createdAt?: string;
  /** The fitted latent density (engine/latent/model-density.ts). */
  latentDensity?: LatentDensity | null;
}

export class ModelLoadError extends Error {}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function encodeTensors(named: { name: string; tensor: tf.Tensor }[]): Promise<{ bytes: Uint8Array; specs: z.infer<typeof WeightSpec>[] }> {
  const { data, specs } = await tf.io.encodeWeights(named);
  const out = specs.map((s) => {
    if (s.dtype !== 'float32' && s.dtype !== 'int32') throw new Error(`cannot save ${s.name}: dtype ${s.dtype}`);
    return { name: s.name, shape: s.shape, dtype: s.dtype };
  });
  return { bytes: new Uint8Array(data), specs: out };
}

/** Saves atomically: a temporary sibling directory renamed over `dir`. */
export async function saveModel(dir: string, vae: Vae, extras: SaveExtras = {}): Promise<ModelManifest> {
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const weights = await encodeTensors([...vae.params.entries()].map(([name, tensor]) => ({ name, tensor })));
  let optimizer: ModelManifest['optimizer'] = null;
  let optimizerBytes: Uint8Array | null = null;
  if (extras.optimizer) {
    // Adam's state lists 'iter' then first and second moments in the order the variables were trained;
    // we always train with the model's parameter order, so positions are enough to restore it.
    const adam = extras.optimizer as tf.Optimizer & { biasCorrectionState?: () => { name: string; tensor: tf.Tensor }[] };
    const state = [...(await adam.getWeights()), ...(adam.biasCorrectionState?.() ?? [])];
    // The bias-correction accumulators keep their names (setWeights finds them by name; see adam.ts).
    const named = state.map((w, i) => ({ name: i === 0 ? 'iter' : w.name === ACC_BETA1 || w.name === ACC_BETA2 ? w.name : `slot${i}`, tensor: w.tensor }));
    // getWeights makes 'iter' afresh on every call (the moments are the optimizer's own variables).
    const enc = await encodeTensors(named).finally(() => state[0]?.tensor.dispose());
    optimizerBytes = enc.bytes;
    optimizer = { kind: 'adam', file: 'optimizer.bin', bytes: enc.bytes.byteLength, sha256: sha256(enc.bytes), specs: enc.specs };
  }
  const now = new Date().toISOString();
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    createdAt: extras.createdAt ?? now,
    updatedAt: now,
    config: vae.config,
    training: extras.training ?? null,
    dataset: extras.dataset ?? null,
    epochsCompleted: extras.epochsCompleted ?? 0,
    metrics: (extras.metrics ?? []).slice(-MAX_METRIC_ROWS),
    weights: { file: 'weights.bin', bytes: weights.bytes.byteLength, sha256: sha256(weights.bytes), specs: weights.specs },
    optimizer,
    ...(extras.stepState ? { stepState: { ...extras.stepState } } : {}),
    ...(extras.latentDensity ? { latentDensity: densityToJson(extras.latentDensity) } : {}),
  };
  const tmp = tempStage(target);
  await mkdir(tmp.path);
  try {
    await writeFile(join(tmp.path, 'weights.bin'), weights.bytes);
    if (optimizerBytes) await writeFile(join(tmp.path, 'optimizer.bin'), optimizerBytes);
    await writeFile(join(tmp.path, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await swapDirInto(tmp.path, target);
  } catch (err) {
    await rm(tmp.path, { recursive: true, force: true });
    const bytes = weights.bytes.byteLength + (optimizerBytes?.byteLength ?? 0) + 64 * 1024;
    throw asDiskFull(err, 'the checkpoint', bytes, parent);
  } finally {
    tmp.release();
  }
  return manifest;
}

/**
 * Reads a weights file named by the manifest: a plain name in the model folder, a regular file (not a
 * link, pipe or device), of the size its specs say — all checked before a byte is read — with the
 * checksum of the manifest and only finite numbers (NaN weights would decode garbage silently).
 */
async function readBin(dir: string, entry: z.infer<typeof WeightsFile>, what: string, maxBytes: number): Promise<Uint8Array[]> {
  const expected = entry.specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== entry.bytes) throw new ModelLoadError(`${entry.file} does not match its specs in manifest.json`);
  if (expected > maxBytes) throw new ModelLoadError(`${what} in ${dir} are larger than any model this version makes (${expected} bytes; at most ${maxBytes})`);
  let parts: Uint8Array[];
  try {
    // One part per tensor, each in its own buffer: the tensors take them as they are, so a model's
    // weights are in memory once while it loads (not the file, and a copy of every tensor besides).
    parts = await readRegularFileParts(
      childPath(dir, entry.file, `the ${what} file`),
      { maxBytes, exactBytes: entry.bytes, what: `${what} file ${entry.file} of ${dir}` },
      entry.specs.map((s) => 4 * s.shape.reduce((a, b) => a * b, 1)),
    );
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    if (err.reason === 'missing') throw new ModelLoadError(`${what} file ${entry.file} is missing from ${dir}`);
    if (err.reason === 'size') throw new ModelLoadError(`${entry.file} is truncated or corrupt: ${err.message}`);
    throw new ModelLoadError(err.message);
  }
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  if (hash.digest('hex') !== entry.sha256) throw new ModelLoadError(`${entry.file} is corrupt: its checksum does not match manifest.json`);
  entry.specs.forEach((spec, i) => {
    if (spec.dtype !== 'float32') return;
    const values = new Float32Array(parts[i].buffer);
    for (let j = 0; j < values.length; j++) {
      if (!Number.isFinite(values[j]))
        throw new ModelLoadError(`${entry.file} in ${dir} holds a number that is not finite (NaN or infinity) in "${spec.name}": the model is damaged`);
    }
  });
  return parts;
}

/** The weights the manifest lists must be exactly the ones its config makes (checked before reading them). */
function checkWeightSpecs(manifest: ModelManifest, dir: string): void {
  const wanted = parameterShapes(manifest.config as VaeConfig);
  const given = new Map(manifest.weights.specs.map((s) => [s.name, s]));
  const problem = (): string | null => {
    for (const w of wanted) {
      const g = given.get(w.name);
      if (!g) return `weights are missing "${w.name}"`;
      if (g.dtype !== 'float32') return `weight "${w.name}" is ${g.dtype}, not float32`;
      if (g.shape.join('x') !== w.shape.join('x')) return `weight "${w.name}" has shape [${g.shape}] but the model needs [${w.shape}]`;
    }
    if (given.size !== wanted.length || manifest.weights.specs.length !== wanted.length) return 'weights have unexpected or repeated tensors';
    return null;
  };
  const found = problem();
  if (found) throw new ModelLoadError(`weights in ${dir} do not fit the model: ${found}`);
}

/** Tensors over the parts readBin read, one each, without a copy (each part has its own buffer). */
function decode(parts: Uint8Array[], specs: z.infer<typeof WeightSpec>[]): tf.NamedTensorMap {
  const tensors: tf.NamedTensorMap = {};
  specs.forEach((spec, i) => {
    const values = spec.dtype === 'int32' ? new Int32Array(parts[i].buffer) : new Float32Array(parts[i].buffer);
    tensors[spec.name] = tf.tensor(values, spec.shape, spec.dtype);
  });
  return tensors;
}

/** Reads and validates manifest.json; throws ModelLoadError saying what is wrong. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  let info = await stat(dir).catch(() => null);
  // A save killed between its two renames leaves the model in a hidden sibling: put it back.
  if (!info && (await recoverDir(dir, { sweep: false }))) info = await stat(dir).catch(() => null);
  if (!info) throw new ModelLoadError(`model directory not found: ${dir}`);
  if (!info.isDirectory()) throw new ModelLoadError(`${dir} is not a directory (a model is a directory with manifest.json and weights.bin)`);
  let text: string;
  try {
    text = (await readRegularFile(join(dir, 'manifest.json'), { maxBytes: MAX_MANIFEST_BYTES, what: `manifest.json in ${dir}` })).toString('utf8');
  } catch (err) {
    if (err instanceof UnsafeFileError && err.reason !== 'missing') throw new ModelLoadError(err.message);
    const files = await readdir(dir).catch(() => [] as string[]);
    if (files.includes('model.json')) throw new ModelLoadError(`${dir} holds a TensorFlow.js model (model.json), not a Latentscape model (no manifest.json)`);
    throw new ModelLoadError(`${dir} is not a Latentscape model directory: manifest.json is missing`);
  }
  return parseManifest(text, dir);
}

/** Parses and checks manifest.json's text (`dir` names it in messages); throws ModelLoadError saying what is wrong. */
export function parseManifest(text: string, dir: string): ModelManifest {
  let raw: unknown;
  try {
    raw = parseJsonQuietly(text, (where) => `manifest.json in ${dir} is corrupt: not valid JSON (${where})`);
  } catch (err) {
    throw new ModelLoadError((err as Error).message);
  }
  const format = (raw as { format?: unknown })?.format;
  if (format !== MODEL_FORMAT) {
    // The file's own value is not quoted back (a refusal never echoes the refused file).
    const found = format === undefined || format === null ? 'null' : typeof format === 'string' ? 'another string' : `a ${typeof format}`;
    throw new ModelLoadError(`manifest.json in ${dir} is not a Latentscape model manifest (format is ${found}, expected "${MODEL_FORMAT}")`);
  }
  const version = (raw as { formatVersion?: unknown }).formatVersion;
  if (typeof version === 'number' && version > MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(`${dir} was written by a newer Latentscape (model format ${version}; this version reads up to ${MODEL_FORMAT_VERSION})`);
  }
  const rows = (raw as { metrics?: unknown }).metrics;
  // Trimmed before the schema walks them: only the latest rows are kept (MAX_METRIC_ROWS).
  if (Array.isArray(rows) && rows.length > MAX_METRIC_ROWS) (raw as { metrics: unknown[] }).metrics = rows.slice(-MAX_METRIC_ROWS);
  const parsed = ModelManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelLoadError(`manifest.json in ${dir} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  try {
    validateConfig(parsed.data.config as VaeConfig);
  } catch (err) {
    throw new ModelLoadError(`manifest.json in ${dir} has an invalid model config: ${(err as Error).message}`);
  }
  const density = parsed.data.latentDensity;
  if (density && density.dim !== parsed.data.config.latentDim)
    throw new ModelLoadError(`manifest.json in ${dir} is invalid: its latent density has size ${density.dim}, the model ${parsed.data.config.latentDim}`);
  checkWeightSpecs(parsed.data, dir);
  return parsed.data;
}

/** Reads and checks the weight files `manifest` names (size, checksum, finite numbers) without building a model. */
export async function verifyModelFiles(dir: string, manifest: ModelManifest): Promise<void> {
  await readBin(dir, manifest.weights, 'weights', MAX_WEIGHTS_BYTES);
  if (manifest.optimizer) await readBin(dir, manifest.optimizer, 'optimizer', MAX_OPTIMIZER_BYTES);
}

export interface LoadedModel {
  vae: Vae;
  manifest: ModelManifest;
  /** Adam state in the model's parameter order, when the directory has one. Caller disposes. */
  optimizerState: { name: string; tensor: tf.Tensor }[] | null;
}

export async function loadModel(dir: string, options: { withOptimizer?: boolean } = {}): Promise<LoadedModel> {
  const manifest = await readManifest(dir);
  const weights = decode(await readBin(dir, manifest.weights, 'weights', MAX_WEIGHTS_BYTES), manifest.weights.specs);
  let vae: Vae;
  try {
    vae = Vae.fromWeights(manifest.config as VaeConfig, new Map(Object.entries(weights)));
  } catch (err) {
    throw new ModelLoadError(`weights in ${dir} do not fit the model: ${(err as Error).message}`);
  } finally {
    tf.dispose(Object.values(weights));
  }
  let optimizerState: { name: string; tensor: tf.Tensor }[] | null = null;
  if (options.withOptimizer && manifest.optimizer) {
    const state = decode(await readBin(dir, manifest.optimizer, 'optimizer', MAX_OPTIMIZER_BYTES), manifest.optimizer.specs);
    optimizerState = manifest.optimizer.specs.map((s) => ({ name: s.name, tensor: state[s.name] }));
  }
  return { vae, manifest, optimizerState };
}
