/**
 * `latentscape eval`'s Fréchet distances (engine/quality): the dataset's feature net from the cache or
 * trained (with a progress bar), then the model's figures and/or the figure of an image file made
 * elsewhere, all against the same training-image statistics.
 */
import { loadOrTrainFeatureNet } from '../engine/quality/feature-cache';
import { measureSampleQuality, qualityReference, scoreImages, type LatentSource, type QualityStage } from '../engine/quality/sample-quality';
import { imageBytes, type Dataset } from '../engine/data/dataset';
import type { Vae } from '../engine/model/vae';
import { readRegularFile } from '../node/safe-read';
import type { CliOutput } from './io';
import type { SampleQualityRecord } from '../shared/contract';

/** An image file to score holds at most this many bytes (100k images of 64×64 RGB are 1.2 GB). */
const MAX_SCORE_FILE_BYTES = 1536 * 1024 * 1024;

export interface FdRequest {
  dataset: Dataset;
  seed: number;
  count: number;
  cacheDir?: string;
  /** The model and where its latents come from; absent: only --score-images. */
  model?: { vae: Vae; source: LatentSource };
  scoreFile?: string;
}

/** Reads raw uint8 images in the dataset's shape (N × H × W × C, HWC, row-major): N is the file's size over one image's. */
export async function readImageFile(path: string, d: Dataset): Promise<{ pixels: Uint8Array; count: number }> {
  const bytes = await readRegularFile(path, { maxBytes: MAX_SCORE_FILE_BYTES, noFollow: false, what: path });
  const size = imageBytes(d);
  const shape = `${d.height}×${d.width}×${d.channels}`;
  if (bytes.length === 0 || bytes.length % size !== 0) {
    throw new Error(`${path} is not raw uint8 images of ${shape} (HWC): its ${bytes.length} bytes are not a whole number of ${size}-byte images`);
  }
  if (bytes.length / size < 2) throw new Error(`${path} holds one ${shape} image; scoring needs at least 2`);
  return { pixels: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), count: bytes.length / size };
}

/** Throttled progress: one line or bar update per whole percent. */
function progressReporter(out: CliOutput): (label: string, done: number, total: number) => void {
  let last = '';
  return (label, done, total) => {
    const key = `${label}:${Math.floor((100 * done) / total)}`;
    if (key === last) return;
    last = key;
    out.progress({ stage: label, done, total }, { done, total, label });
  };
}

export async function frechetFigures(out: CliOutput, request: FdRequest): Promise<Record<string, unknown>> {
  const { dataset, seed, count } = request;
  const report = progressReporter(out);
  // Read first: a bad file fails before minutes of feature-net training.
  const toScore = request.scoreFile ? await readImageFile(request.scoreFile, dataset) : null;
  // Ctrl-C stops the training between steps. Only there: the rest runs without yielding (seconds), and a
  // handler left installed would keep Ctrl-C from ending it at once.
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const { net, cache } = await loadOrTrainFeatureNet(dataset, {
    seed: 0,
    cacheDir: request.cacheDir,
    signal: controller.signal,
    onProgress: (p) => report('feature net', p.done, p.total),
  }).finally(() => process.off('SIGINT', onSigint));
  try {
    const onProgress = (p: { stage: QualityStage; done: number; total: number }): void => report(`fd ${p.stage}`, p.done, p.total);
    const options = { seed, count, onProgress };
    const figures: Record<string, unknown> = {};
    const reference = await qualityReference(net, dataset, options);
    if (request.model) {
      const q = await measureSampleQuality(request.model.vae, dataset, net, request.model.source, { ...options, reference });
      figures.sample_fd = q.sample_fd;
      figures.floor_fd = q.floor_fd;
      figures.recon_fd = q.recon_fd;
      figures.fd_n = q.n;
      figures.z_source = q.z_source;
    }
    if (toScore) {
      figures.score_fd = await scoreImages(net, reference, toScore.pixels, toScore.count, options);
      figures.score_n = toScore.count;
    }
    return {
      ...figures,
      fd_reference_n: reference.indices.length,
      feature_space: reference.featureSpace,
      feature_labels: reference.labelled,
      feature_cache: cache,
    };
  } finally {
    net.dispose();
  }
}

/** The model's figures as manifest.json records them (frechetFigures' output with a model). */
export function sampleQualityRecord(epoch: number, f: Record<string, unknown>): SampleQualityRecord {
  return {
    epoch,
    sample_fd: f.sample_fd as number,
    floor_fd: f.floor_fd as number | null,
    recon_fd: f.recon_fd as number,
    fd_n: f.fd_n as number,
    z_source: f.z_source as string,
    feature_space: f.feature_space as string,
    feature_labels: f.feature_labels as boolean,
  };
}
