/**
 * An epoch's training metrics, in the page's form (camelCase) and as the engine records them
 * (snake_case: manifest.json, the CLI's JSON lines). Part of the contract (contract.ts re-exports it);
 * imports only zod, so contract.ts and the engine's checkpoint reader can both build on it.
 */
import { z } from 'zod';

const int = z.number().int();

export const EpochMetricsSchema = z.strictObject({
  epoch: int,
  trainLoss: z.number(),
  testLoss: z.number(),
  recon: z.number(),
  kl: z.number(),
  testRecon: z.number(),
  testKl: z.number(),
  /** Held-out reconstruction PSNR of decode(μ), dB (src/engine/train/psnr.ts); absent for older models. */
  psnrDb: z.number().optional(),
  /** trainLoss and testLoss in bits per dimension (shared/headline-figures.ts bitsPerDim); absent for older models, where it follows from the model's size and likelihood. */
  trainBpd: z.number().optional(),
  testBpd: z.number().optional(),
  samplesPerSec: z.number(),
  seconds: z.number(),
});
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

/** Metrics as the engine records them (snake_case, as in manifest.json and the CLI's JSON lines). */
export const EpochMetricsRecordSchema = z.strictObject({
  epoch: int,
  train_loss: z.number(),
  test_loss: z.number(),
  recon: z.number(),
  kl: z.number(),
  test_recon: z.number(),
  test_kl: z.number(),
  /** Held-out reconstruction PSNR of decode(μ), dB; absent for older models. */
  psnr_db: z.number().optional(),
  /** train_loss and test_loss in bits per dimension; absent for older models. */
  train_bpd: z.number().optional(),
  test_bpd: z.number().optional(),
  /** What training minimised, when a KL warm-up or free bits made it differ from train_loss (the true −ELBO_β); absent otherwise. */
  train_objective: z.number().optional(),
  samples_per_s: z.number(),
  seconds: z.number(),
});
export type EpochMetricsRecord = z.infer<typeof EpochMetricsRecordSchema>;

export function epochMetricsFromRecord(e: EpochMetricsRecord): EpochMetrics {
  return {
    epoch: e.epoch,
    trainLoss: e.train_loss,
    testLoss: e.test_loss,
    recon: e.recon,
    kl: e.kl,
    testRecon: e.test_recon,
    testKl: e.test_kl,
    ...(typeof e.psnr_db === 'number' ? { psnrDb: e.psnr_db } : {}),
    ...(typeof e.train_bpd === 'number' ? { trainBpd: e.train_bpd } : {}),
    ...(typeof e.test_bpd === 'number' ? { testBpd: e.test_bpd } : {}),
    samplesPerSec: e.samples_per_s,
    seconds: e.seconds,
  };
}

/**
 * Sample quality as `latentscape eval --record` writes it into manifest.json (src/engine/quality): Fréchet
 * distances to the training images in the dataset's feature net. floor_fd is null without held-out images.
 */
export const SampleQualityRecordSchema = z.strictObject({
  /** The epochs the model had when measured. */
  epoch: int,
  sample_fd: z.number(),
  floor_fd: z.number().nullable(),
  recon_fd: z.number(),
  fd_n: int,
  z_source: z.string().max(200),
  feature_space: z.string().max(500),
  /** false: the features were learned without labels (a flat folder). */
  feature_labels: z.boolean(),
});
export type SampleQualityRecord = z.infer<typeof SampleQualityRecordSchema>;

/** The same, in the page's form. */
export const SampleQualitySchema = z.strictObject({
  epoch: int,
  sampleFd: z.number(),
  floorFd: z.number().nullable(),
  reconFd: z.number(),
  n: int,
  zSource: z.string(),
  featureSpace: z.string(),
  featureLabels: z.boolean(),
});
export type SampleQuality = z.infer<typeof SampleQualitySchema>;

export function sampleQualityFromRecord(r: SampleQualityRecord): SampleQuality {
  return {
    epoch: r.epoch,
    sampleFd: r.sample_fd,
    floorFd: r.floor_fd,
    reconFd: r.recon_fd,
    n: r.fd_n,
    zSource: r.z_source,
    featureSpace: r.feature_space,
    featureLabels: r.feature_labels,
  };
}
