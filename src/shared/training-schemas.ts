/**
 * The training's part of the contract: the settings a run starts with and the status of the service's
 * one training state machine (service/training-state.ts). contract.ts re-exports everything here.
 *
 * Self-contained (zod, the limits, the vocabulary and the generation).
 */
import { z } from 'zod';
import { GenerationSchema, type Generation } from './generation';
import { MAX_FREE_BITS, MAX_LATENT, MAX_RESIDUAL_BLOCKS, MAX_SELECTION_EXPORT, MAX_TIME_BUDGET_SECONDS, MIN_LATENT, MIN_TIME_BUDGET_SECONDS } from './limits';
import { ArchSchema, DecoderUpsampleSchema, LikelihoodSchema } from './vocabulary';

const int = z.number().int();
const count = int.nonnegative();
const Int32ArraySchema = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });

/**
 * The service's training state machine (service/training-state.ts): idle → starting → running → cancelling → done | cancelled | failed,
 * or diverged: the loss exploded (engine/train/divergence.ts), the run stopped and the model open before stays open.
 */
export const TrainingStateSchema = z.enum(['idle', 'starting', 'running', 'cancelling', 'done', 'cancelled', 'failed', 'diverged']);
export type TrainingState = z.infer<typeof TrainingStateSchema>;

export const TrainingStatusSchema = z.strictObject({
  state: TrainingStateSchema,
  runId: z.string().nullable(),
  dir: z.string().nullable(),
  epochs: count,
  epoch: count,
  lastCheckpointEpoch: count,
  /** Why the run failed, or (diverged) how its loss exploded and what to try. */
  error: z.string().nullable(),
  /** The run's time budget (null: it trains for `epochs`, which are then not a cap). */
  timeBudgetSeconds: z.number().positive().nullable(),
  /** The run ended because its time budget was reached (before its `epochs` cap). */
  budgetReached: z.boolean(),
  /** The opening the run (or its outcome) belongs to: an outcome is forgotten when something else opens. */
  generation: GenerationSchema,
});
export type TrainingStatus = z.infer<typeof TrainingStatusSchema>;

export const TrainSettingsSchema = z.strictObject({
  arch: ArchSchema,
  latentDim: int.min(MIN_LATENT).max(MAX_LATENT),
  epochs: int.min(1).max(100_000),
  batchSize: int.min(1).max(4096).optional(),
  lr: z.number().positive().max(10).optional(),
  beta: z.number().min(0).max(1000).optional(),
  likelihood: LikelihoodSchema.optional(),
  /** Gaussian only: learn the decoder's scale (calibrated to the reconstruction error) instead of σ = 1. */
  learnedScale: z.boolean().optional(),
  binarize: z.boolean().optional(),
  seed: int
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  /** Train and test on the first `limit` images of each split (quick runs). */
  limit: int.min(1).optional(),
  /** Train only on these images (dataset indices: a selection of the view); each split keeps its own. */
  subset: Int32ArraySchema.refine((ids) => !(ids instanceof Int32Array) || (ids.length >= 1 && ids.length <= MAX_SELECTION_EXPORT), {
    message: `a training subset takes 1 to ${MAX_SELECTION_EXPORT} images`,
  }).optional(),
  /**
   * Train for this long (wall clock), stopping at the end of the epoch that would pass it; `epochs` is
   * then the cap. The learning rate's decay (folders: cosine) follows the budget.
   */
  timeBudgetSeconds: z.number().min(MIN_TIME_BUDGET_SECONDS).max(MAX_TIME_BUDGET_SECONDS).optional(),
  /** conv only: the decoder's upsampling and residual blocks per level (unset: shared/training-defaults.ts DECODER_DEFAULTS). */
  decoderUpsample: DecoderUpsampleSchema.optional(),
  residualBlocks: int.min(0).max(MAX_RESIDUAL_BLOCKS).optional(),
  /** The KL's warm-up (a fraction of the run) and free bits (nats per latent dimension); unset: none. */
  klWarmup: z.number().min(0).max(1).optional(),
  freeBits: z.number().min(0).max(MAX_FREE_BITS).optional(),
});
export type TrainSettings = z.infer<typeof TrainSettingsSchema>;

/** The status with no run: what the service starts from and returns to when a run's outcome is forgotten. */
export function idleTraining(generation: Generation): TrainingStatus {
  return {
    state: 'idle',
    runId: null,
    dir: null,
    epochs: 0,
    epoch: 0,
    lastCheckpointEpoch: 0,
    error: null,
    timeBudgetSeconds: null,
    budgetReached: false,
    generation,
  };
}
