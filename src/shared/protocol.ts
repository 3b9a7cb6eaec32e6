/**
 * The engine process's message protocol: the service sends requests, the engine answers each one
 * (same id) and sends events while it works (ingest and training progress). The same messages go
 * over child_process (serialization 'advanced') and Electron's utilityProcess (structured clone),
 * so typed arrays cross the boundary as typed arrays.
 *
 * Imports nothing from node, electron or the DOM.
 */
import { z } from 'zod';
import {
  AbsolutePath,
  ArchSchema,
  DatasetSourceSchema,
  EasingSchema,
  Float32ArraySchema,
  LikelihoodSchema,
  LoopSchema,
  PathModeSchema,
  SpacingSchema,
  type DatasetSummary,
  type Images,
  type Projection,
} from './contract';
import { explorerEngineRequests, type ExplorerEngineEvent, type ExplorerEngineResults } from './explorer';

const int = z.number().int();

export const engineRequests = {
  init: z.strictObject({ backend: z.string().optional() }),
  openDataset: DatasetSourceSchema,
  train: z.strictObject({
    dir: AbsolutePath,
    resume: z.boolean(),
    arch: ArchSchema,
    latentDim: int,
    epochs: int.min(1),
    batchSize: int.min(1),
    lr: z.number().positive(),
    beta: z.number().min(0),
    likelihood: LikelihoodSchema,
    /** Gaussian only: a learned (calibrated) scale instead of σ = 1. */
    learnedScale: z.boolean().optional(),
    binarize: z.boolean(),
    seed: int,
    limit: int.min(1).optional(),
  }),
  cancel: z.strictObject({}),
  loadModel: z.strictObject({ dir: AbsolutePath }),
  embed: z.strictObject({}),
  decode: z.strictObject({ z: Float32ArraySchema }),
  reconstruct: z.strictObject({ index: int.min(0) }),
  datasetFiles: z.strictObject({}),
  nearest: z.strictObject({ z: Float32ArraySchema, k: int.min(1), space: z.enum(['latent', 'pixel']).optional(), among: z.enum(['all', 'train']).optional() }),
  ...explorerEngineRequests,
  interpolate: z.strictObject({
    keyframes: Float32ArraySchema,
    frames: int.min(2),
    mode: z.union([PathModeSchema, z.array(PathModeSchema)]),
    easing: EasingSchema,
    loop: LoopSchema,
    spacing: SpacingSchema,
    decode: z.boolean(),
  }),
  export: z.strictObject({
    path: AbsolutePath,
    keyframes: Float32ArraySchema,
    frames: int.min(2),
    mode: z.union([PathModeSchema, z.array(PathModeSchema)]),
    easing: EasingSchema.optional(),
    loop: LoopSchema.optional(),
    spacing: SpacingSchema.optional(),
    fps: int.min(1),
    scale: int.min(1),
  }),
  exportCancel: z.strictObject({}),
  exportImage: z.strictObject({ path: AbsolutePath, z: Float32ArraySchema, scale: int.min(1).max(8) }),
} as const;
export type EngineOp = keyof typeof engineRequests;
export type EngineArgs<O extends EngineOp> = z.input<(typeof engineRequests)[O]>;

/** What a loaded model's manifest says, as the service needs it. */
export interface EngineModelInfo {
  dir: string;
  arch: 'mlp' | 'conv';
  latentDim: number;
  likelihood: 'bernoulli' | 'gaussian';
  height: number;
  width: number;
  channels: 1 | 3;
  epochsCompleted: number;
  epochsPlanned: number | null;
  metrics: { epoch: number; train_loss: number; test_loss: number; recon: number; kl: number; test_recon: number; test_kl: number; psnr_db?: number; samples_per_s: number; seconds: number }[];
  datasetName: string | null;
  datasetFingerprint: string | null;
  /** The training settings recorded in the manifest (to resume with). */
  training: { epochs: number; batchSize: number; lr: number; beta: number; binarize: boolean; seed: number; limit?: number } | null;
}

export interface EngineResults extends ExplorerEngineResults {
  init: { backend: 'tensorflow' | 'wasm' | 'cpu'; fallbacks: string[]; pid: number };
  openDataset: DatasetSummary;
  train: { epochsCompleted: number; cancelled: boolean; model: EngineModelInfo | null };
  cancel: { cancelled: boolean };
  loadModel: EngineModelInfo;
  embed: { count: number; latentDim: number; ids: Int32Array; labels: Int32Array; labelNames: string[]; mu: Float32Array; view: Float32Array; projection: Projection; modelEpoch: number };
  decode: Images;
  reconstruct: { index: number; label: number; original: Images; reconstruction: Images; mu: Float32Array };
  datasetFiles: { files: string[] | null };
  nearest: { ids: Int32Array; distances: Float32Array };
  interpolate: { z: Float32Array; frames: number; latentDim: number; images: Images | null };
  export: { kind: 'gif' | 'webm' | 'frames' | 'sprite'; path: string; bytes: number; files: number };
  exportCancel: { cancelled: boolean };
  exportImage: { path: string; bytes: number };
}

export type EngineEvent =
  | { type: 'ingest'; done: number; total: number }
  | { type: 'step'; epoch: number; epochs: number; step: number; stepsPerEpoch: number; loss: number; samplesPerSec: number; etaSeconds: number; recon?: number; kl?: number }
  | ExplorerEngineEvent
  | { type: 'epoch'; epochs: number; epoch: number; trainLoss: number; testLoss: number; recon: number; kl: number; testRecon: number; testKl: number; psnrDb?: number; samplesPerSec: number; seconds: number }
  | { type: 'checkpoint'; epoch: number; dir: string }
  | { type: 'export'; stage: 'decode' | 'encode'; done: number; total: number }
  | { type: 'log'; message: string };

export type ToEngine = { kind: 'request'; id: number; op: EngineOp; args: unknown };
export type FromEngine =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: { message: string; code?: string } }
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'ready'; pid: number };
