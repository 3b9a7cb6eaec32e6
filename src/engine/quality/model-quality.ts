/**
 * The sample distance a model carries in its manifest, for the library and the training panel: measured
 * after an app training and by `latentscape prepare`, the same figures as `latentscape eval --record`
 * (its default seed, the dataset's cached feature net), on at most MODEL_FD_COUNT images per set so it
 * costs seconds once the feature net is cached. Samples are drawn as the app draws them: from the
 * model's fitted density, else N(0, I).
 */
import type { Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import { readManifest } from '../train/checkpoint';
import { recordSampleQuality } from '../train/manifest-quality';
import { manifestDensity } from '../latent/model-density';
import type { SampleQualityRecord } from '../../shared/contract';
import type { SampleQualityStage } from '../../shared/vocabulary';
import { loadOrTrainFeatureNet } from './feature-cache';
import { SAMPLE_QUALITY_COUNT, densitySource, measureSampleQuality, standardNormalSource, type SampleQuality } from './sample-quality';

/** Images per set: the held-out split caps it further (measureSampleQuality). */
export const MODEL_FD_COUNT = SAMPLE_QUALITY_COUNT;

export interface ModelQualityOptions {
  /** Cancel: the promise rejects with an Error named 'AbortError'; the manifest is left as it was. */
  signal?: AbortSignal;
  onProgress?: (p: { stage: SampleQualityStage; done: number; total: number }) => void;
  /** Where the feature net is cached (default: the app's cache folder). */
  cacheDir?: string;
}

/** A measurement as manifest.json records it. */
export function sampleQualityRecordOf(epoch: number, q: SampleQuality): SampleQualityRecord {
  return {
    epoch,
    sample_fd: q.sample_fd,
    floor_fd: q.floor_fd,
    recon_fd: q.recon_fd,
    fd_n: q.n,
    z_source: q.z_source,
    feature_space: q.feature_space,
    feature_labels: q.feature_labels,
  };
}

/**
 * Measures the model saved in `dir` (whose weights `vae` holds) against `dataset`'s training images and
 * records the figures in its manifest; returns them.
 */
export async function measureModelQuality(dir: string, vae: Vae, dataset: Dataset, options: ModelQualityOptions = {}): Promise<SampleQualityRecord> {
  const manifest = await readManifest(dir);
  const density = manifestDensity(manifest);
  const { net } = await loadOrTrainFeatureNet(dataset, {
    seed: 0,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => options.onProgress?.({ stage: 'feature-net', ...p }),
  });
  try {
    const source = density && density.dim === vae.config.latentDim ? densitySource(density) : standardNormalSource(vae.config.latentDim);
    const q = await measureSampleQuality(vae, dataset, net, source, {
      seed: 0,
      count: MODEL_FD_COUNT,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const record = sampleQualityRecordOf(manifest.epochsCompleted, q);
    await recordSampleQuality(dir, manifest, record);
    return record;
  } finally {
    net.dispose();
  }
}
