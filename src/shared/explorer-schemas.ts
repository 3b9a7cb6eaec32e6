/**
 * The latent explorer's part of the contract and of the engine protocol: per-point statistics
 * (reconstruction error, KL), thumbnail sprite atlases, and the training snapshots that let the user
 * watch the space form. contract.ts and engine-protocol.ts spread these into their tables.
 *
 * Imports only zod and the vocabulary: contract.ts imports this file, so it cannot import contract.ts back.
 */
import { z } from 'zod';
import { ChannelsSchema, LinearKindSchema, type LinearProjectionKind } from './vocabulary';

const int = z.number().int();
const count = int.nonnegative();
const F32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const I32 = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });
const U8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });
const none = z.strictObject({});

/** How the 3D view is made from the latent space. UMAP is computed in the page (a web worker). */
export const ProjectionKindSchema = z.enum(['identity', 'pca', 'umap']);
export type ProjectionKind = z.infer<typeof ProjectionKindSchema>;

/** Thumbnails per atlas page: a 32 × 32 grid of cells. */
export const ATLAS_COLUMNS = 32;
export const ATLAS_PAGE_SIZE = ATLAS_COLUMNS * ATLAS_COLUMNS;
/** Thumbnails are at most this many pixels a side (smaller images keep their size). */
export const ATLAS_MAX_THUMB = 32;

export const PointStatsSchema = z.strictObject({
  count,
  modelEpoch: count,
  /** Per point: −log p(x | z = μ(x)) in nats, the reconstruction error of the decoded mean. */
  recon: F32,
  /** Per point: KL(q(z|x) ‖ N(0, I)) in nats. */
  kl: F32,
  /**
   * Per point: the RMS difference between the image and decode(μ) (clipped to [0, 1]), in levels of
   * 255: the colour legend's unit, never negative (shared/headline-figures.ts).
   */
  rmse: F32,
});
export type PointStats = z.infer<typeof PointStatsSchema>;

/** One sprite atlas page: thumbnails of the images first … first + count − 1, row-major in a cols-wide grid. */
export const AtlasSchema = z.strictObject({
  page: count,
  first: count,
  count,
  cols: int.positive(),
  rows: int.positive(),
  /** Cell size in pixels (square). */
  thumb: int.positive(),
  channels: ChannelsSchema,
  /** (rows·thumb) × (cols·thumb) × channels bytes, row-major HWC. */
  pixels: U8,
});
export type Atlas = z.infer<typeof AtlasSchema>;

export const TrainSnapshotSchema = z.strictObject({
  runId: z.string(),
  epoch: int,
  step: int,
  /** Steps since the start of the run (all epochs). */
  globalStep: count,
  latentDim: int.positive(),
  count,
  /** Dataset index of each point (an even sample of the dataset). */
  ids: I32,
  labels: I32,
  /** count × latentDim. */
  mu: F32,
  /** count × 3: the view (identity for d ≤ 3, else PCA with axis signs kept from the previous snapshot). */
  view: F32,
  projection: LinearKindSchema,
});
export type TrainSnapshot = z.infer<typeof TrainSnapshotSchema>;

export const explorerCalls = {
  /** Reconstruction error and KL of every point of the embeddings (computed once per model, cached with it). */
  pointStats: { input: none, output: PointStatsSchema },
  /** A page of the open dataset's thumbnails as one sprite atlas image. */
  atlas: { input: z.strictObject({ page: count }), output: AtlasSchema },
} as const;

export const explorerEvents = {
  trainSnapshot: TrainSnapshotSchema,
} as const;

// ---------------------------------------------------------------------------------------------
// The engine's side

export const explorerEngineRequests = {
  pointStats: none,
  atlas: z.strictObject({ page: int.min(0) }),
  fitProjection: z.strictObject({ kind: LinearKindSchema }),
} as const;

export interface ExplorerEngineResults {
  pointStats: PointStats;
  atlas: Atlas;
  fitProjection: { kind: LinearProjectionKind; latentDim: number; mean: number[]; axes: number[][]; explained: number[] };
}

export type ExplorerEngineEvent = { type: 'snapshot' } & Omit<TrainSnapshot, 'runId'>;
