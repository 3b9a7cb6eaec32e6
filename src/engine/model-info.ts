/** What the engine tells the service about a model and a dataset (the protocol's shapes of them). */
import type { ModelManifest } from './train/checkpoint';
import type { Dataset } from './data/dataset';
import { sampleQualityFromRecord, type DatasetSummary } from '../shared/contract';
import type { EngineModelInfo } from '../shared/engine-protocol';
import { bitsPerDim, imageDims } from '../shared/headline-figures';
import { manifestDensity } from './latent/model-density';

/** The manifest as the service sees it; the latent density (up to K·d² numbers) only for the open model. */
export function modelInfo(dir: string, m: ModelManifest, options: { density?: boolean } = {}): EngineModelInfo {
  const limit = m.dataset?.preprocessing?.limit;
  // Models from before bits/dim was recorded get it from their losses, size and likelihood: the same formula.
  const bpd = (nats: number): number => bitsPerDim(nats, imageDims(m.config), m.config.likelihood);
  const density = options.density ? manifestDensity(m) : null;
  return {
    dir,
    arch: m.config.arch,
    latentDim: m.config.latentDim,
    likelihood: m.config.likelihood,
    height: m.config.height,
    width: m.config.width,
    channels: m.config.channels,
    epochsCompleted: m.epochsCompleted,
    epochsPlanned: m.training?.epochs ?? null,
    metrics: m.metrics.map((e) => ({
      epoch: e.epoch,
      train_loss: e.train_loss,
      test_loss: e.test_loss,
      recon: e.recon,
      kl: e.kl,
      test_recon: e.test_recon,
      test_kl: e.test_kl,
      ...(typeof e.psnr_db === 'number' ? { psnr_db: e.psnr_db } : {}),
      train_bpd: e.train_bpd ?? bpd(e.train_loss),
      test_bpd: e.test_bpd ?? bpd(e.test_loss),
      samples_per_s: e.samples_per_s,
      seconds: e.seconds,
    })),
    datasetName: m.dataset?.name ?? null,
    datasetFingerprint: m.dataset?.fingerprint ?? null,
    ...(m.sampleQuality ? { sampleQuality: sampleQualityFromRecord(m.sampleQuality) } : {}),
    training: m.training
      ? {
          epochs: m.training.epochs,
          batchSize: m.training.batchSize,
          lr: m.training.lr,
          beta: m.training.beta,
          binarize: m.training.binarize,
          seed: m.training.seed,
          ...(typeof limit === 'number' ? { limit } : {}),
          ...(m.training.lrSchedule ? { lrSchedule: m.training.lrSchedule } : {}),
          ...(m.training.klWarmup ? { klWarmup: m.training.klWarmup } : {}),
          ...(m.training.freeBits ? { freeBits: m.training.freeBits } : {}),
        }
      : null,
    ...(density ? { latentDensity: density } : {}),
  };
}

export function datasetSummary(d: Dataset, skipped: { file: string; reason: string }[]): DatasetSummary {
  return {
    name: d.name,
    source: d.source.kind === 'mnist' ? { kind: 'mnist' } : { kind: 'folder', path: d.source.path },
    count: d.count,
    trainCount: d.split.train.length,
    testCount: d.split.test.length,
    height: d.height,
    width: d.width,
    channels: d.channels,
    labelNames: d.labelNames,
    fingerprint: d.fingerprint,
    skipped,
  };
}
