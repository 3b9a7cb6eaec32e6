/**
 * The feature space the Fréchet distance is measured in: a small classifier trained on the dataset
 * itself, whose penultimate layer (FEATURE_DIM values) is the feature vector of an image.
 *
 * The network is LeNet's shape in the VAE's own layer ops (model/ops.ts, so it trains on wasm, cpu and
 * tensorflow alike): 3×3 stride-2 convolutions with ReLU (stride instead of max-pooling: wasm has no
 * max-pool gradient), a dense ReLU layer of FEATURE_DIM units (the features), a softmax head.
 *
 * What it learns to predict:
 * - 'labels': the dataset's labels (MNIST's digits, a folder's subfolders) when the training images
 *   carry at least two;
 * - 'rotation' otherwise (one flat folder): which of 0°/90°/180°/270° an image was turned by, a
 *   self-supervised task (Gidaris et al., 2018) that needs no labels and still learns the shapes and
 *   strokes that make an image look like the dataset's. A figure in these features says so.
 *
 * Training is bounded (FEATURE_TRAINING: a few epochs over at most a capped number of images), seeded
 * (initial weights, order and rotations all come from the seed), reports progress and stops on a signal.
 */
import * as tf from '@tensorflow/tfjs-core';
import { seededPermutation, type Dataset } from '../data/dataset';
import { conv2d, dense } from '../model/ops';
import { imagesToTensor, seedSequence } from '../model/vae';
import { createAdam } from '../kernels/adam';
import { yieldToEventLoop } from '../../node/event-loop';
import { takeScalars, takeValues } from '../tensor-read';

/** Bump whenever the network, its training or its inputs change: cached nets of older versions are then not used. */
export const FEATURE_NET_VERSION = 1;
export const FEATURE_DIM = 128;

export const FEATURE_TRAINING = { epochs: 3, maxImages: 10000, batchSize: 64, lr: 1e-3 } as const;

export type FeatureObjective = 'labels' | 'rotation';

export interface FeatureNetConfig {
  height: number;
  width: number;
  channels: 1 | 3;
  filters: number[];
  classes: number;
  objective: FeatureObjective;
}

/** Conv widths: stride-2 layers until the map is at most 8 wide (at least two, at most four). */
export function featureFilters(size: number): number[] {
  const filters = [32, 64];
  let side = Math.ceil(Math.ceil(size / 2) / 2);
  while (side > 8 && filters.length < 4) {
    filters.push(64);
    side = Math.ceil(side / 2);
  }
  return filters;
}

function flatSize(c: FeatureNetConfig): number {
  let h = c.height;
  let w = c.width;
  for (let i = 0; i < c.filters.length; i++) {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
  }
  return h * w * c.filters[c.filters.length - 1];
}

export function parameterSpecs(c: FeatureNetConfig): { name: string; shape: number[]; fanIn: number }[] {
  const specs: { name: string; shape: number[]; fanIn: number }[] = [];
  let inC: number = c.channels;
  c.filters.forEach((f, i) => {
    specs.push({ name: `conv${i}/kernel`, shape: [3, 3, inC, f], fanIn: 9 * inC });
    specs.push({ name: `conv${i}/bias`, shape: [f], fanIn: 9 * inC });
    inC = f;
  });
  const flat = flatSize(c);
  specs.push({ name: 'features/kernel', shape: [flat, FEATURE_DIM], fanIn: flat });
  specs.push({ name: 'features/bias', shape: [FEATURE_DIM], fanIn: flat });
  specs.push({ name: 'head/kernel', shape: [FEATURE_DIM, c.classes], fanIn: FEATURE_DIM });
  specs.push({ name: 'head/bias', shape: [c.classes], fanIn: FEATURE_DIM });
  return specs;
}

/** What a figure measured in this net's features says about them. */
export function describeFeatureSpace(c: FeatureNetConfig): string {
  return c.objective === 'labels'
    ? `classifier on the dataset's ${c.classes} labels (feature net v${FEATURE_NET_VERSION}, ${FEATURE_DIM} features)`
    : `rotation-prediction net, self-supervised (no labels; feature net v${FEATURE_NET_VERSION}, ${FEATURE_DIM} features)`;
}

export class FeatureNet {
  private constructor(
    readonly config: FeatureNetConfig,
    readonly params: Map<string, tf.Variable>,
  ) {}

  private static nextId = 0;

  /** Fresh weights, U(±1/√fan_in) from the seed (as the VAE's). */
  static create(config: FeatureNetConfig, seed: number): FeatureNet {
    const next = seedSequence(seed);
    const params = new Map<string, tf.Variable>();
    for (const spec of parameterSpecs(config)) {
      const bound = 1 / Math.sqrt(spec.fanIn);
      const init = tf.randomUniform(spec.shape, -bound, bound, 'float32', Math.floor(next() * 2 ** 31));
      params.set(spec.name, tf.variable(init, true, `feature-net/${spec.name}_${FeatureNet.nextId++}`));
      init.dispose();
    }
    return new FeatureNet(config, params);
  }

  /** Wraps given weights (from the cache), in parameterSpecs order; the caller keeps ownership of `values`. */
  static fromWeights(config: FeatureNetConfig, values: Float32Array[]): FeatureNet {
    const specs = parameterSpecs(config);
    if (values.length !== specs.length) throw new Error(`feature net: expected ${specs.length} weight tensors, got ${values.length}`);
    const params = new Map<string, tf.Variable>();
    specs.forEach((spec, i) => {
      const t = tf.tensor(values[i], spec.shape, 'float32');
      params.set(spec.name, tf.variable(t, false, `feature-net/${spec.name}_${FeatureNet.nextId++}`));
      t.dispose();
    });
    return new FeatureNet(config, params);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`feature net: no parameter ${name}`);
    return v;
  }

  /** The penultimate layer for images x in [0, 1], [B, H, W, C] → [B, FEATURE_DIM]. */
  features(x: tf.Tensor4D): tf.Tensor2D {
    let h: tf.Tensor4D = x;
    this.config.filters.forEach((_, i) => {
      h = conv2d(h, this.p(`conv${i}/kernel`) as tf.Tensor4D, this.p(`conv${i}/bias`) as tf.Tensor1D, 2, { activation: 'relu', inputGradient: i > 0 });
    });
    const flat = tf.reshape(h, [x.shape[0], flatSize(this.config)]) as tf.Tensor2D;
    return dense(flat, this.p('features/kernel') as tf.Tensor2D, this.p('features/bias') as tf.Tensor1D, { activation: 'relu' });
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    return dense(this.features(x), this.p('head/kernel') as tf.Tensor2D, this.p('head/bias') as tf.Tensor1D);
  }

  /** Features of `count` uint8 HWC images, count × FEATURE_DIM floats. */
  async featuresOf(pixels: Uint8Array, count: number, batchSize = 250): Promise<Float32Array> {
    const out = new Float32Array(count * FEATURE_DIM);
    for (let from = 0; from < count; from += batchSize) {
      const n = Math.min(batchSize, count - from);
      const f = tf.tidy(() => this.features(imagesToTensor(pixels, from, n, this.config)));
      const [values] = await takeValues([f]);
      out.set(values, from * FEATURE_DIM);
    }
    return out;
  }

  /** The weights in parameterSpecs order (copies). */
  async weights(): Promise<Float32Array[]> {
    return Promise.all(parameterSpecs(this.config).map(async (s) => (await this.p(s.name).data()) as Float32Array));
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** The training images the net learns from, and what it is taught to predict about them. */
export function featureObjective(d: Dataset): { objective: FeatureObjective; classes: number; indices: Uint32Array } {
  const labelled = d.split.train.filter((i) => d.labels[i] >= 0);
  const distinct = new Set(Array.from(labelled, (i) => d.labels[i]));
  if (distinct.size >= 2) return { objective: 'labels', classes: Math.max(d.labelNames.length, Math.max(...distinct) + 1), indices: labelled };
  // Quarter turns need square images; otherwise only 0° and 180°.
  return { objective: 'rotation', classes: d.height === d.width ? 4 : 2, indices: d.split.train };
}

/** Copies image `src` into `dst` turned by `quarterTurns` × 90° clockwise (square images, or 0/2 turns). */
export function rotateImage(src: Uint8Array, dst: Uint8Array, h: number, w: number, c: number, quarterTurns: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ty = y;
      let tx = x;
      if (quarterTurns === 1) [ty, tx] = [x, h - 1 - y];
      else if (quarterTurns === 2) [ty, tx] = [h - 1 - y, w - 1 - x];
      else if (quarterTurns === 3) [ty, tx] = [w - 1 - x, y];
      const from = (y * w + x) * c;
      const to = (ty * w + tx) * c;
      for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
    }
  }
}

export interface FeatureTrainingOptions {
  seed: number;
  /** Cancel: the promise rejects with an Error named 'AbortError'. */
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Overrides for tests; the defaults are FEATURE_TRAINING's. */
  epochs?: number;
  maxImages?: number;
}

function abortError(): Error {
  const err = new Error('feature net training cancelled');
  err.name = 'AbortError';
  return err;
}

/** Trains the feature net on `d`'s training images; the same seed, dataset and backend give the same weights. */
export async function trainFeatureNet(d: Dataset, options: FeatureTrainingOptions): Promise<FeatureNet> {
  const { objective, classes, indices } = featureObjective(d);
  const epochs = options.epochs ?? FEATURE_TRAINING.epochs;
  const maxImages = options.maxImages ?? FEATURE_TRAINING.maxImages;
  const { batchSize, lr } = FEATURE_TRAINING;
  const chosen = seededPermutation(indices.length, options.seed + 101).subarray(0, Math.min(maxImages, indices.length));
  const images = Uint32Array.from(chosen, (i) => indices[i]);
  const config: FeatureNetConfig = {
    height: d.height,
    width: d.width,
    channels: d.channels,
    filters: featureFilters(Math.max(d.height, d.width)),
    classes,
    objective,
  };
  const net = FeatureNet.create(config, options.seed);
  const optimizer = createAdam(lr);
  const size = d.height * d.width * d.channels;
  const stepsPerEpoch = Math.ceil(images.length / batchSize);
  const total = epochs * stepsPerEpoch;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = seededPermutation(images.length, options.seed * 1000003 + epoch);
      const turns = seedSequence(options.seed * 7919 + epoch + 1);
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (options.signal?.aborted) throw abortError();
        const from = step * batchSize;
        const n = Math.min(images.length, from + batchSize) - from;
        const pixels = new Uint8Array(n * size);
        const targets = new Int32Array(n);
        for (let b = 0; b < n; b++) {
          const index = images[order[from + b]];
          const src = d.pixels.subarray(index * size, (index + 1) * size);
          if (objective === 'labels') {
            targets[b] = d.labels[index];
            pixels.set(src, b * size);
          } else {
            const k = Math.floor(turns() * classes);
            targets[b] = k;
            rotateImage(src, pixels.subarray(b * size, (b + 1) * size), d.height, d.width, d.channels, classes === 4 ? k : 2 * k);
          }
        }
        const x = imagesToTensor(pixels, 0, n, config);
        const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), classes));
        const cost = optimizer.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(net.logits(x))), 1))) as tf.Scalar, true);
        tf.dispose([x, onehot]);
        const loss = cost ? (await takeScalars([cost]))[0] : undefined;
        if (loss !== undefined && !Number.isFinite(loss)) throw new Error(`feature net training diverged (loss ${loss})`);
        options.onProgress?.({ done: epoch * stepsPerEpoch + step + 1, total });
        await yieldToEventLoop();
      }
    }
  } catch (err) {
    net.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  return net;
}
