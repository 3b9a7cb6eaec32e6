/**
 * Sample quality as Fréchet distances to the training images, in the dataset's feature net
 * (feature-net.ts):
 * - sample_fd: images decoded from z drawn by a latent source (N(0, I), or the model's fitted density of
 *   its training means, shared/latent-density.ts);
 * - floor_fd: held-out real images: what a perfect generator would score at this sample size;
 * - recon_fd: decodes of training images' means, μ(x): the best any choice of z could do with this decoder.
 * Each set has the same number of images (at most SAMPLE_QUALITY_COUNT, and no more than the held-out
 * split has), because the Fréchet distance's small-sample bias depends on it; the training images'
 * statistics come from up to REFERENCE_COUNT of them. Images made elsewhere (the PyTorch reference) are
 * scored against the same statistics by scoreImages.
 */
import { gatherImages, seededPermutation, type Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import { seedSequence } from '../model/vae';
import { sampleDensity, type LatentDensity } from '../../shared/latent-density';
import { featureStats, frechetDistanceOfStats, type FeatureStats } from './frechet';
import { FEATURE_DIM, describeFeatureSpace, type FeatureNet } from './feature-net';
import { yieldToEventLoop } from '../../node/event-loop';
import type { SampleQualityStage } from '../../shared/vocabulary';

export const SAMPLE_QUALITY_COUNT = 1000;
export const REFERENCE_COUNT = 10000;
const DECODE_BATCH = 250;

/** Where the latents of the generated images come from. */
export interface LatentSource {
  /** Reported with the figure, e.g. "N(0, I)". */
  name: string;
  /** `count` latents, count × latentDim floats, the same for the same seed. */
  draw(count: number, seed: number): Float32Array;
}

/** z ~ N(0, I), the VAE's prior (Box–Muller on a seeded generator, so every backend draws the same z). */
export function standardNormalSource(latentDim: number): LatentSource {
  return {
    name: 'N(0, I)',
    draw(count, seed) {
      const next = seedSequence(seed);
      const z = new Float32Array(count * latentDim);
      for (let i = 0; i < z.length; i += 2) {
        const r = Math.sqrt(-2 * Math.log(1 - next()));
        const theta = 2 * Math.PI * next();
        z[i] = r * Math.cos(theta);
        if (i + 1 < z.length) z[i + 1] = r * Math.sin(theta);
      }
      return z;
    },
  };
}

/** z from the model's fitted density (the app's default sampler wherever the model has one). */
export function densitySource(density: LatentDensity): LatentSource {
  return {
    name: `fitted density (${density.weights.length} component${density.weights.length === 1 ? '' : 's'})`,
    draw: (count, seed) => sampleDensity(density, count, seed),
  };
}

/**
 * The latent sources `latentscape eval --z-source` offers, by name; each is made from the model and the
 * density stored with it (null for a model without one).
 */
export const LATENT_SOURCES = {
  normal: (vae: Vae) => standardNormalSource(vae.config.latentDim),
  density: (vae: Vae, density: LatentDensity | null) => {
    if (!density) throw new Error('this model has no fitted latent density (run `latentscape prepare --model DIR` to fit one)');
    return densitySource(density);
  },
} satisfies Record<string, (vae: Vae, density: LatentDensity | null) => LatentSource>;
export type LatentSourceName = keyof typeof LATENT_SOURCES;
export const LATENT_SOURCE_NAMES = Object.keys(LATENT_SOURCES) as LatentSourceName[];

/** The stages measured here (the feature net's training comes before, in feature-cache.ts). */
export type QualityStage = Exclude<SampleQualityStage, 'feature-net'>;

export interface QualityOptions {
  seed?: number;
  count?: number;
  referenceCount?: number;
  /** Statistics already taken (qualityReference) with this net and dataset; taken here when absent. */
  reference?: QualityReference;
  signal?: AbortSignal;
  onProgress?: (p: { stage: QualityStage; done: number; total: number }) => void;
}

/** The training images' feature statistics: what every figure is a distance to. */
export interface QualityReference {
  stats: FeatureStats;
  /** The training images they were taken from (a seeded subset). */
  indices: Uint32Array;
  featureSpace: string;
  labelled: boolean;
}

export interface SampleQuality {
  sample_fd: number;
  /** null when the dataset has fewer than 2 held-out images. */
  floor_fd: number | null;
  recon_fd: number;
  /** Images in each of the three sets. */
  n: number;
  reference_n: number;
  z_source: string;
  feature_space: string;
  /** false: the features were learned without labels (feature-net.ts's rotation task). */
  feature_labels: boolean;
}

function abortError(): Error {
  const err = new Error('sample quality measurement cancelled');
  err.name = 'AbortError';
  return err;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError();
}

/** Features of images in batches, yielding between them so a cancel (or the engine's other calls) gets in. */
async function featuresInBatches(
  net: FeatureNet,
  images: (from: number, to: number) => Uint8Array,
  count: number,
  stage: QualityStage,
  options: QualityOptions,
): Promise<Float32Array> {
  const out = new Float32Array(count * FEATURE_DIM);
  for (let from = 0; from < count; from += DECODE_BATCH) {
    await yieldToEventLoop();
    checkAbort(options.signal);
    const to = Math.min(count, from + DECODE_BATCH);
    out.set(await net.featuresOf(images(from, to), to - from), from * FEATURE_DIM);
    options.onProgress?.({ stage, done: to, total: count });
  }
  return out;
}

export async function qualityReference(net: FeatureNet, d: Dataset, options: QualityOptions = {}): Promise<QualityReference> {
  const train = d.split.train;
  const take = Math.min(train.length, options.referenceCount ?? REFERENCE_COUNT);
  if (take < 2) throw new Error(`sample quality needs at least 2 training images, the dataset has ${train.length}`);
  const order = seededPermutation(train.length, (options.seed ?? 0) + 211).subarray(0, take);
  const indices = Uint32Array.from(order, (i) => train[i]);
  const features = await featuresInBatches(net, (from, to) => gatherImages(d, indices, from, to), take, 'reference', options);
  return {
    stats: featureStats({ values: features, count: take, dim: FEATURE_DIM }),
    indices,
    featureSpace: describeFeatureSpace(net.config),
    labelled: net.config.objective === 'labels',
  };
}

/** The Fréchet distance of `count` uint8 HWC images (the dataset's shape) to the reference. */
export async function scoreImages(
  net: FeatureNet,
  reference: QualityReference,
  pixels: Uint8Array,
  count: number,
  options: QualityOptions = {},
): Promise<number> {
  if (count < 2) throw new Error(`scoring needs at least 2 images, got ${count}`);
  const size = net.config.height * net.config.width * net.config.channels;
  const features = await featuresInBatches(net, (from, to) => pixels.subarray(from * size, to * size), count, 'samples', options);
  return frechetDistanceOfStats(featureStats({ values: features, count, dim: FEATURE_DIM }), reference.stats);
}

/** sample_fd, floor_fd and recon_fd of a model (see the top of this file). */
export async function measureSampleQuality(vae: Vae, d: Dataset, net: FeatureNet, source: LatentSource, options: QualityOptions = {}): Promise<SampleQuality> {
  const seed = options.seed ?? 0;
  const reference = options.reference ?? (await qualityReference(net, d, options));
  const test = d.split.test;
  const cap = Math.min(options.count ?? SAMPLE_QUALITY_COUNT, reference.indices.length);
  const n = test.length >= 2 ? Math.min(cap, test.length) : cap;
  const latentDim = vae.config.latentDim;
  const z = source.draw(n, seed + 307);
  if (z.length !== n * latentDim) throw new Error(`the latent source "${source.name}" gave ${z.length} values, expected ${n} × ${latentDim}`);
  const sampleFd = await scoreImages(net, reference, await decodeBatches(vae, z, n), n, options);

  let floorFd: number | null = null;
  if (test.length >= 2) {
    const floorSet = seededPermutation(test.length, seed + 401).subarray(0, n);
    const floorIdx = Uint32Array.from(floorSet, (i) => test[i]);
    const features = await featuresInBatches(net, (from, to) => gatherImages(d, floorIdx, from, to), n, 'floor', options);
    floorFd = frechetDistanceOfStats(featureStats({ values: features, count: n, dim: FEATURE_DIM }), reference.stats);
  }

  checkAbort(options.signal);
  const reconIdx = reference.indices.subarray(0, n);
  const means = await vae.embed(gatherImages(d, reconIdx), n, DECODE_BATCH);
  const recon = await decodeBatches(vae, means, n);
  const size = d.height * d.width * d.channels;
  const reconFeatures = await featuresInBatches(net, (from, to) => recon.subarray(from * size, to * size), n, 'recon', options);
  const reconFd = frechetDistanceOfStats(featureStats({ values: reconFeatures, count: n, dim: FEATURE_DIM }), reference.stats);

  return {
    sample_fd: sampleFd,
    floor_fd: floorFd,
    recon_fd: reconFd,
    n,
    reference_n: reference.indices.length,
    z_source: source.name,
    feature_space: reference.featureSpace,
    feature_labels: reference.labelled,
  };
}

/** Decodes n latents (n × d floats) into uint8 images, a batch at a time. */
async function decodeBatches(vae: Vae, z: Float32Array, n: number): Promise<Uint8Array> {
  const d = vae.config.latentDim;
  const size = vae.config.height * vae.config.width * vae.config.channels;
  const out = new Uint8Array(n * size);
  for (let from = 0; from < n; from += DECODE_BATCH) {
    const to = Math.min(n, from + DECODE_BATCH);
    out.set(await vae.decodeToPixels(z.subarray(from * d, to * d), to - from), from * size);
  }
  return out;
}
