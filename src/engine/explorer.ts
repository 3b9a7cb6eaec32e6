/**
 * The engine's work for the latent explorer: per-point reconstruction error and KL, thumbnail
 * sprite atlases, nearest neighbours (in latent or pixel space), and the snapshots of the latent
 * space taken while a model trains. Used by worker.ts; every tensor is made inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherImages, type Dataset } from './data/dataset';
import { imagesToTensor, type Vae } from './model/vae';
import { fitPca } from './latent/projection';
import { alignAxes, project } from '../shared/projection';
import { ATLAS_COLUMNS, ATLAS_MAX_THUMB, ATLAS_PAGE_SIZE, type Atlas, type ExplorerEngineEvent } from '../shared/explorer';

const STATS_SLICE = 1000;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * For every image: −log p(x | z = μ(x)) (the reconstruction error of the image the app shows for
 * it) and KL(q(z|x) ‖ N(0, I)), in nats. In slices, yielding between them so decodes interleave.
 */
export async function pointStats(vae: Vae, dataset: Dataset): Promise<{ recon: Float32Array; kl: Float32Array }> {
  const recon = new Float32Array(dataset.count);
  const kl = new Float32Array(dataset.count);
  for (let start = 0; start < dataset.count; start += STATS_SLICE) {
    const n = Math.min(STATS_SLICE, dataset.count - start);
    const [r, k] = tf.tidy(() => {
      const x = imagesToTensor(dataset.pixels, start, n, vae.config);
      const q = vae.encode(x);
      return [vae.decode(q.mean as tf.Tensor2D).nll(x), q.klToStdNormal()];
    });
    recon.set(r.dataSync() as Float32Array, start);
    kl.set(k.dataSync() as Float32Array, start);
    tf.dispose([r, k]);
    await yieldToEventLoop();
  }
  return { recon, kl };
}

/** The thumbnail side for a dataset: its own size up to ATLAS_MAX_THUMB. */
export function thumbSize(dataset: Dataset): number {
  if (dataset.thumbnails) return dataset.thumbnails.size;
  return Math.min(ATLAS_MAX_THUMB, Math.max(dataset.height, dataset.width));
}

/** Page `page` of the dataset's thumbnails: ATLAS_PAGE_SIZE cells in an ATLAS_COLUMNS-wide grid. */
export function atlasPage(dataset: Dataset, page: number): Atlas {
  const first = page * ATLAS_PAGE_SIZE;
  if (first >= dataset.count) throw new Error(`atlas page ${page} is past the dataset's ${dataset.count} images`);
  const count = Math.min(ATLAS_PAGE_SIZE, dataset.count - first);
  const cols = ATLAS_COLUMNS;
  const rows = Math.ceil(count / cols);
  const t = thumbSize(dataset);
  const c = dataset.channels;
  const width = cols * t;
  const pixels = new Uint8Array(rows * t * width * c);
  const { height: h, width: w } = dataset;
  const source = dataset.thumbnails;
  for (let n = 0; n < count; n++) {
    const i = first + n;
    const x0 = (n % cols) * t;
    const y0 = Math.floor(n / cols) * t;
    if (source) {
      const size = source.size * source.size * c;
      const img = source.pixels.subarray(i * size, (i + 1) * size);
      for (let y = 0; y < t; y++) pixels.set(img.subarray(y * t * c, (y + 1) * t * c), ((y0 + y) * width + x0) * c);
      continue;
    }
    const img = dataset.pixels.subarray(i * h * w * c, (i + 1) * h * w * c);
    if (h === t && w === t) {
      for (let y = 0; y < t; y++) pixels.set(img.subarray(y * w * c, (y + 1) * w * c), ((y0 + y) * width + x0) * c);
      continue;
    }
    // Box filter: each thumbnail pixel averages the source pixels it covers.
    for (let ty = 0; ty < t; ty++) {
      const sy0 = Math.floor((ty * h) / t);
      const sy1 = Math.max(sy0 + 1, Math.floor(((ty + 1) * h) / t));
      for (let tx = 0; tx < t; tx++) {
        const sx0 = Math.floor((tx * w) / t);
        const sx1 = Math.max(sx0 + 1, Math.floor(((tx + 1) * w) / t));
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += img[(sy * w + sx) * c + ch];
          pixels[((y0 + ty) * width + x0 + tx) * c + ch] = Math.round(sum / ((sy1 - sy0) * (sx1 - sx0)));
        }
      }
    }
  }
  return { page, first, count, cols, rows, thumb: t, channels: c, pixels };
}

/** Keeps the k smallest (distance², id) pairs seen, sorted. */
class Best {
  readonly ids: Int32Array;
  readonly d2: Float64Array;
  constructor(readonly k: number) {
    this.ids = new Int32Array(k).fill(-1);
    this.d2 = new Float64Array(k).fill(Infinity);
  }
  get worst(): number {
    return this.d2[this.k - 1];
  }
  offer(id: number, s: number): void {
    if (s >= this.d2[this.k - 1]) return;
    let p = this.k - 1;
    while (p > 0 && this.d2[p - 1] > s) {
      this.d2[p] = this.d2[p - 1];
      this.ids[p] = this.ids[p - 1];
      p--;
    }
    this.d2[p] = s;
    this.ids[p] = id;
  }
  result(): { ids: Int32Array; distances: Float32Array } {
    const n = this.ids.findIndex((id) => id < 0);
    const len = n < 0 ? this.k : n;
    return { ids: this.ids.slice(0, len), distances: Float32Array.from(this.d2.subarray(0, len), Math.sqrt) };
  }
}

/**
 * The k images nearest to a latent point: by the distance of their μ to z ('latent'), or by the
 * pixel distance of the images to decode(z) ('pixel', in 0…1 intensity units); among every image
 * or only the training split.
 */
export function nearestImages(args: { z: Float32Array; k: number; space: 'latent' | 'pixel'; among: 'all' | 'train' }, vae: Vae, dataset: Dataset, mu: Float32Array): { ids: Int32Array; distances: Float32Array } {
  const d = vae.config.latentDim;
  const candidates: ArrayLike<number> | null = args.among === 'train' ? dataset.split.train : null;
  const total = candidates ? candidates.length : dataset.count;
  const best = new Best(Math.max(1, Math.min(args.k, total)));
  if (args.space === 'latent') {
    for (let n = 0; n < total; n++) {
      const i = candidates ? candidates[n] : n;
      let s = 0;
      for (let j = 0; j < d && s < best.worst; j++) {
        const t = mu[i * d + j] - args.z[j];
        s += t * t;
      }
      best.offer(i, s);
    }
    return best.result();
  }
  const image = vae.decodeToPixels(args.z, 1);
  const size = image.length;
  const pixels = dataset.pixels;
  for (let n = 0; n < total; n++) {
    const i = candidates ? candidates[n] : n;
    const base = i * size;
    let s = 0;
    // Stop summing once the image cannot be among the k best.
    for (let p = 0; p < size && s < best.worst; p++) {
      const t = pixels[base + p] - image[p];
      s += t * t;
    }
    best.offer(i, s);
  }
  const result = best.result();
  for (let i = 0; i < result.distances.length; i++) result.distances[i] /= 255;
  return result;
}

/**
 * Re-embeds an even sample of the dataset with the model being trained, at most every
 * `minIntervalMs` and at the end of every epoch, so the page can show the space forming. For
 * d > 3 the view is a PCA of the sample whose axes keep their signs from one snapshot to the next.
 */
export class SnapshotTaker {
  private readonly ids: Int32Array;
  private readonly labels: Int32Array;
  private readonly pixels: Uint8Array;
  private last = -Infinity;
  private globalStep = 0;
  private previousAxes: number[][] | null = null;

  constructor(
    dataset: Dataset,
    private readonly emit: (event: ExplorerEngineEvent) => void,
    sampleSize = 2000,
    private readonly minIntervalMs = 1000,
  ) {
    const n = Math.min(sampleSize, dataset.count);
    const stride = dataset.count / n;
    this.ids = new Int32Array(n);
    for (let i = 0; i < n; i++) this.ids[i] = Math.floor(i * stride);
    this.labels = Int32Array.from(this.ids, (i) => dataset.labels[i]);
    this.pixels = gatherImages(dataset, this.ids);
  }

  /** After a step: takes a snapshot when one is due (the first step, every interval, an epoch's end). */
  async step(info: { vae: Vae; epoch: number; step: number; last: boolean }): Promise<void> {
    this.globalStep++;
    const now = performance.now();
    if (!(info.last || now - this.last >= this.minIntervalMs)) return;
    this.last = now;
    const vae = info.vae;
    const d = vae.config.latentDim;
    const n = this.ids.length;
    const mu = vae.embed(this.pixels, n);
    let view: Float32Array;
    let projection: 'identity' | 'pca' = 'identity';
    if (d <= 3) {
      view = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) view[i * 3 + j] = mu[i * d + j];
    } else {
      const pca = fitPca(mu, n, d);
      alignAxes(pca.axes, this.previousAxes);
      this.previousAxes = pca.axes;
      view = project(pca, mu, n);
      projection = 'pca';
    }
    this.emit({ type: 'snapshot', epoch: info.epoch, step: info.step, globalStep: this.globalStep, latentDim: d, count: n, ids: this.ids, labels: this.labels, mu, view, projection });
    await yieldToEventLoop();
  }
}
