/**
 * The VAE of VAE.md: Gaussian encoder q(z|x), N(0, I) prior, Bernoulli or Gaussian decoder.
 * Weights are plain tf.Variables in a fixed order (so checkpoints are simple and exact); the
 * networks are small functions over them, built by `mlp` or `conv` below.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Bernoulli, DiagonalGaussian, SharedScaleGaussian, stdNormalLogProb, type Likelihood } from './distributions';
import { dense } from './ops';
import { convLayers, layerParams, runConvLayers, type ParamSpec } from './conv-arch';
import { bernoulliNllMean, klFreeBitsMean, klToStdNormalMean, reparameterizeWith, sharedScaleNllMean } from './elbo-ops';
import { CONV_SIZES } from '../../shared/training-defaults';
import { seededUniform } from '../../shared/latent-density';
import { ACTIVATION_BUDGET_BYTES, MAX_DECODE_IMAGE_BYTES, MAX_LATENT, MAX_PARAMETERS, MAX_RESIDUAL_BLOCKS, MIN_LATENT } from '../../shared/limits';
import { decodeActivationBytes, formatBytes } from './activation-bytes';
import { decodeInBatches, encodeBatchSize } from './decode-batches';
import { takeValues } from '../tensor-read';
import { DECODER_UPSAMPLES, type Arch, type DecoderUpsample, type LikelihoodKind } from '../../shared/vocabulary';

export { MAX_PARAMETERS };

export type { Arch, DecoderUpsample, LikelihoodKind };

export interface VaeConfig {
  arch: Arch;
  latentDim: number;
  height: number;
  width: number;
  channels: 1 | 3;
  likelihood: LikelihoodKind;
  /** Gaussian decoder only: learn one scalar log-variance instead of fixing σ² = 1. */
  learnedScale: boolean;
  /** mlp: hidden units of the one hidden layer (400 in pytorch/examples). */
  hidden: number;
  /** conv: filters of the stride-2 convolutions, one entry per halving of the image. */
  filters: number[];
  /** conv: how the decoder doubles its resolution (conv-arch.ts); absent: 'transpose', as models before the option. */
  decoderUpsample?: DecoderUpsample;
  /** conv: residual blocks at every resolution level of the encoder and the decoder (conv-arch.ts); absent: 0. */
  residualBlocks?: number;
}

export { CONV_SIZES };
/**
 * Caps on what a config may ask for, checked before anything is allocated: a manifest is a file
 * people share, and `hidden: 100000` would otherwise allocate a gigabyte before failing.
 */
export const MAX_IMAGE_SIZE = 512;
export const MAX_HIDDEN = 4096;
export const MAX_CONV_LAYERS = 6;
export const MAX_FILTERS = 1024;
export { MAX_RESIDUAL_BLOCKS };

export function defaultFilters(size: number): number[] {
  const halvings = size >= 64 ? Math.round(Math.log2(size / 8)) : 2;
  return [32, 64, 128, 256].slice(0, halvings);
}

export function makeConfig(partial: Partial<VaeConfig> & Pick<VaeConfig, 'arch' | 'latentDim'>): VaeConfig {
  const height = partial.height ?? 28;
  const config: VaeConfig = {
    arch: partial.arch,
    latentDim: partial.latentDim,
    height,
    width: partial.width ?? height,
    channels: partial.channels ?? 1,
    likelihood: partial.likelihood ?? 'bernoulli',
    learnedScale: partial.learnedScale ?? false,
    hidden: partial.hidden ?? 400,
    filters: partial.filters ?? defaultFilters(height),
    // Recorded only when asked for, so a model without them keeps today's manifest.
    ...(partial.decoderUpsample === undefined ? {} : { decoderUpsample: partial.decoderUpsample }),
    ...(partial.residualBlocks === undefined ? {} : { residualBlocks: partial.residualBlocks }),
  };
  validateConfig(config);
  return config;
}

export function validateConfig(c: VaeConfig): void {
  if (c.arch !== 'mlp' && c.arch !== 'conv') throw new Error(`unknown architecture "${c.arch}": use mlp or conv`);
  if (!Number.isInteger(c.latentDim) || c.latentDim < MIN_LATENT || c.latentDim > MAX_LATENT) {
    throw new Error(`latent size must be an integer from ${MIN_LATENT} to ${MAX_LATENT}, got ${c.latentDim}`);
  }
  if (c.channels !== 1 && c.channels !== 3) throw new Error(`channels must be 1 or 3, got ${c.channels}`);
  for (const [name, value] of [
    ['height', c.height],
    ['width', c.width],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIZE)
      throw new Error(`${name} must be an integer from 1 to ${MAX_IMAGE_SIZE}, got ${value}`);
  }
  if (c.arch === 'mlp' && (!Number.isInteger(c.hidden) || c.hidden < 1 || c.hidden > MAX_HIDDEN))
    throw new Error(`hidden must be an integer from 1 to ${MAX_HIDDEN}, got ${c.hidden}`);
  if (c.arch === 'conv') {
    if (!Array.isArray(c.filters) || c.filters.length < 1 || c.filters.length > MAX_CONV_LAYERS)
      throw new Error(`filters must list 1 to ${MAX_CONV_LAYERS} layers`);
    for (const f of c.filters)
      if (!Number.isInteger(f) || f < 1 || f > MAX_FILTERS) throw new Error(`each filter count must be an integer from 1 to ${MAX_FILTERS}, got ${f}`);
  }
  validateConvOptions(c);
  if (c.likelihood !== 'bernoulli' && c.likelihood !== 'gaussian') {
    throw new Error(`unknown likelihood "${c.likelihood}": use bernoulli or gaussian`);
  }
  if (c.arch === 'conv') {
    const factor = 2 ** c.filters.length;
    if (c.height !== c.width || c.height % factor !== 0) {
      throw new Error(`conv needs square images whose size divides by ${factor} (e.g. ${CONV_SIZES.join('/')}), got ${c.height}×${c.width}`);
    }
  }
  const total = parameterShapes(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  if (total > MAX_PARAMETERS) throw new Error(`the model would have ${total} parameters; at most ${MAX_PARAMETERS}`);
  const decodeBytes = decodeActivationBytes(c);
  if (decodeBytes > MAX_DECODE_IMAGE_BYTES) {
    throw new Error(
      `decoding one image would take ${formatBytes(decodeBytes)} of activations; at most ${formatBytes(MAX_DECODE_IMAGE_BYTES)}: use fewer filters in the first layers (they run at the highest resolution) or a smaller image size`,
    );
  }
}

function validateConvOptions(c: VaeConfig): void {
  if (c.decoderUpsample !== undefined && !(DECODER_UPSAMPLES as readonly string[]).includes(c.decoderUpsample)) {
    throw new Error(`unknown decoder upsampling "${c.decoderUpsample}": use ${DECODER_UPSAMPLES.join(' or ')}`);
  }
  const blocks = c.residualBlocks;
  if (blocks !== undefined && (!Number.isInteger(blocks) || blocks < 0 || blocks > MAX_RESIDUAL_BLOCKS)) {
    throw new Error(`residual blocks must be an integer from 0 to ${MAX_RESIDUAL_BLOCKS}, got ${blocks}`);
  }
  if (c.arch === 'mlp' && ((blocks ?? 0) > 0 || (c.decoderUpsample ?? 'transpose') !== 'transpose')) {
    throw new Error('residual blocks and the decoder upsampling are conv options: the mlp has no convolutions');
  }
}

/** The parameters a config makes, in order, without allocating them (what a checkpoint must hold). */
export function parameterShapes(config: VaeConfig): { name: string; shape: number[] }[] {
  return parameterSpecs(config).map(({ name, shape }) => ({ name, shape }));
}

function parameterSpecs(config: VaeConfig): ParamSpec[] {
  const specs = config.arch === 'mlp' ? mlpParams(config) : convParams(config);
  if (config.likelihood === 'gaussian' && config.learnedScale) specs.push({ name: 'decoder/logvar', shape: [1], fanIn: 1, zero: true });
  return specs;
}

/** Per-example parts of one training step; the loss is mean(reconNll + β·kl). */
export interface ForwardResult {
  recon: tf.Tensor4D;
  reconNll: tf.Tensor1D;
  kl: tf.Tensor1D;
}

/** How training reshapes the KL term of its objective (the reported loss stays the ELBO_β). */
export interface LossShaping {
  /** The KL's weight in the objective now (a KL warm-up raises it from 0 to β); default β. */
  klWeight?: number;
  /** Free bits: each latent dimension's batch-mean KL counts as at least this many nats; default 0. */
  freeBits?: number;
}

/** A small seeded generator so initialisation and sampling seeds are reproducible: the shared one (mulberry32), so the page draws the same numbers. */
export const seedSequence = seededUniform;

function mlpParams(c: VaeConfig): ParamSpec[] {
  const D = c.height * c.width * c.channels;
  const H = c.hidden;
  const d = c.latentDim;
  return [
    { name: 'encoder/hidden/kernel', shape: [D, H], fanIn: D },
    { name: 'encoder/hidden/bias', shape: [H], fanIn: D },
    { name: 'encoder/mean/kernel', shape: [H, d], fanIn: H },
    { name: 'encoder/mean/bias', shape: [d], fanIn: H },
    { name: 'encoder/logvar/kernel', shape: [H, d], fanIn: H },
    { name: 'encoder/logvar/bias', shape: [d], fanIn: H },
    { name: 'decoder/hidden/kernel', shape: [d, H], fanIn: d },
    { name: 'decoder/hidden/bias', shape: [H], fanIn: d },
    { name: 'decoder/out/kernel', shape: [H, D], fanIn: H },
    { name: 'decoder/out/bias', shape: [D], fanIn: H },
  ];
}

function convParams(c: VaeConfig): ParamSpec[] {
  const { encoder, decoder, flat } = convLayers(c);
  const d = c.latentDim;
  return [
    ...encoder.flatMap(layerParams),
    { name: 'encoder/mean/kernel', shape: [flat, d], fanIn: flat },
    { name: 'encoder/mean/bias', shape: [d], fanIn: flat },
    { name: 'encoder/logvar/kernel', shape: [flat, d], fanIn: flat },
    { name: 'encoder/logvar/bias', shape: [d], fanIn: flat },
    { name: 'decoder/dense/kernel', shape: [d, flat], fanIn: d },
    { name: 'decoder/dense/bias', shape: [flat], fanIn: d },
    ...decoder.flatMap(layerParams),
  ];
}

export class Vae {
  readonly params: Map<string, tf.Variable>;

  private constructor(
    readonly config: VaeConfig,
    params: Map<string, tf.Variable>,
  ) {
    this.params = params;
  }

  /** Fresh weights, PyTorch's default init U(±1/√fan_in), so results compare with pytorch/examples. */
  static create(config: VaeConfig, seed = 0): Vae {
    validateConfig(config);
    const next = seedSequence(seed);
    const specs = parameterSpecs(config);
    const params = new Map<string, tf.Variable>();
    for (const spec of specs) {
      const bound = 1 / Math.sqrt(spec.fanIn);
      const init = spec.zero ? tf.zeros(spec.shape) : tf.randomUniform(spec.shape, -bound, bound, 'float32', Math.floor(next() * 2 ** 31));
      params.set(spec.name, tf.variable(init, true, `${spec.name}_${Vae.nextId++}`));
      init.dispose();
    }
    return new Vae(config, params);
  }

  /**
   * Wraps existing weights (from a checkpoint); shapes must match the config's. The variables share
   * the tensors' data (a variable holds a reference, so the caller may dispose its tensors): a model
   * loaded costs its weights once, not a random initialisation and a copy besides.
   */
  static fromWeights(config: VaeConfig, weights: Map<string, tf.Tensor>): Vae {
    validateConfig(config);
    const specs = parameterSpecs(config);
    for (const { name, shape } of specs) {
      const w = weights.get(name);
      if (!w) throw new Error(`weights are missing "${name}"`);
      if (w.shape.join('x') !== shape.join('x')) throw new Error(`weight "${name}" has shape [${w.shape}] but the model needs [${shape}]`);
      if (w.dtype !== 'float32') throw new Error(`weight "${name}" is ${w.dtype}; the model needs float32`);
    }
    const names = new Set(specs.map((s) => s.name));
    for (const name of weights.keys()) if (!names.has(name)) throw new Error(`weights have an unexpected tensor "${name}"`);
    const params = new Map<string, tf.Variable>();
    for (const { name } of specs) params.set(name, tf.variable(weights.get(name)!, true, `${name}_${Vae.nextId++}`));
    return new Vae(config, params);
  }

  private static nextId = 0;

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  get inputSize(): number {
    return this.config.height * this.config.width * this.config.channels;
  }

  /** q(z|x) for images x in [0, 1], shape [B, H, W, C]. */
  encode(x: tf.Tensor4D): DiagonalGaussian {
    const c = this.config;
    const batch = x.shape[0];
    let features: tf.Tensor2D;
    if (c.arch === 'mlp') {
      const flat = tf.reshape(x, [batch, this.inputSize]) as tf.Tensor2D;
      // The input is data: no gradient flows to it (`inputGradient: false` skips computing one).
      features = dense(flat, this.p('encoder/hidden/kernel') as tf.Tensor2D, this.p('encoder/hidden/bias') as tf.Tensor1D, {
        activation: 'relu',
        inputGradient: false,
      });
    } else {
      const { encoder, flat } = convLayers(c);
      features = tf.reshape(
        runConvLayers(encoder, x, (name) => this.p(name), true),
        [batch, flat],
      ) as tf.Tensor2D;
    }
    const mean = dense(features, this.p('encoder/mean/kernel') as tf.Tensor2D, this.p('encoder/mean/bias') as tf.Tensor1D);
    const logvar = dense(features, this.p('encoder/logvar/kernel') as tf.Tensor2D, this.p('encoder/logvar/bias') as tf.Tensor1D);
    return new DiagonalGaussian(mean, logvar);
  }

  /** z = μ + σ·ε with ε ~ N(0, I) drawn from `seed`: DiagonalGaussian.sample as one fused op (elbo-ops.ts). */
  reparameterize(q: DiagonalGaussian, seed?: number): tf.Tensor2D {
    const mean = q.mean as tf.Tensor2D;
    return reparameterizeWith(mean, q.logvar as tf.Tensor2D, tf.randomNormal(mean.shape, 0, 1, 'float32', seed));
  }

  /** p(x|z): its parameters have the image shape [B, H, W, C]; `mode()` is the image to show. */
  decode(z: tf.Tensor2D): Likelihood {
    const c = this.config;
    const batch = z.shape[0];
    let out: tf.Tensor4D;
    if (c.arch === 'mlp') {
      const h = dense(z, this.p('decoder/hidden/kernel') as tf.Tensor2D, this.p('decoder/hidden/bias') as tf.Tensor1D, { activation: 'relu' });
      const flat = dense(h, this.p('decoder/out/kernel') as tf.Tensor2D, this.p('decoder/out/bias') as tf.Tensor1D);
      out = tf.reshape(flat, [batch, c.height, c.width, c.channels]);
    } else {
      const { decoder, smallest } = convLayers(c);
      const h0 = dense(z, this.p('decoder/dense/kernel') as tf.Tensor2D, this.p('decoder/dense/bias') as tf.Tensor1D, { activation: 'relu' });
      const h = tf.reshape(h0, [batch, smallest, smallest, c.filters[c.filters.length - 1]]) as tf.Tensor4D;
      out = runConvLayers(decoder, h, (name) => this.p(name));
    }
    if (c.likelihood === 'bernoulli') return new Bernoulli(out);
    if (c.learnedScale) return new SharedScaleGaussian(out, this.p('decoder/logvar'));
    return new DiagonalGaussian(out, tf.zerosLike(out));
  }

  /** The image for each latent: the decoder's mode, clipped to [0, 1]. */
  decodeMode(z: tf.Tensor2D): tf.Tensor4D {
    return tf.clipByValue(this.decode(z).mode(), 0, 1) as tf.Tensor4D;
  }

  /** n images decoded from z ~ p(z). */
  sample(n: number, seed?: number): tf.Tensor4D {
    return tf.tidy(() => this.decodeMode(tf.randomNormal([n, this.config.latentDim], 0, 1, 'float32', seed)));
  }

  /** One training step's parts, with one reparameterised sample. */
  forward(x: tf.Tensor4D, seed?: number): ForwardResult {
    const q = this.encode(x);
    const z = this.reparameterize(q, seed);
    const likelihood = this.decode(z);
    return {
      recon: tf.clipByValue(likelihood.mode(), 0, 1) as tf.Tensor4D,
      reconNll: likelihood.nll(x),
      kl: q.klToStdNormal(),
    };
  }

  /**
   * −ELBO_β per batch (mean over examples) and its two terms, as scalars: the function forward()
   * computes, with the same noise for a seed, through the fused ops of elbo-ops.ts (the training step's
   * loss; fewer taped kernels). `objective` is what training minimises: the loss itself, unless a KL
   * warm-up weight (`klWeight`, in place of β) or free bits (`freeBits` nats per latent dimension) are given.
   */
  loss(x: tf.Tensor4D, beta: number, seed?: number, shaping: LossShaping = {}): { loss: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar; objective: tf.Scalar } {
    const q = this.encode(x);
    const likelihood = this.decode(this.reparameterize(q, seed));
    const recon =
      likelihood instanceof SharedScaleGaussian
        ? sharedScaleNllMean(likelihood.mean, likelihood.logvar, x)
        : likelihood instanceof Bernoulli
          ? bernoulliNllMean(likelihood.logits, x)
          : (tf.mean(likelihood.nll(x)) as tf.Scalar);
    const mean = q.mean as tf.Tensor2D;
    const logvar = q.logvar as tf.Tensor2D;
    const kl = klToStdNormalMean(mean, logvar);
    const loss = tf.add(recon, tf.mul(kl, beta)) as tf.Scalar;
    const freeBits = shaping.freeBits ?? 0;
    const klWeight = shaping.klWeight ?? beta;
    if (freeBits === 0 && klWeight === beta) return { loss, recon, kl, objective: loss };
    const objectiveKl = freeBits > 0 ? klFreeBitsMean(mean, logvar, freeBits) : kl;
    return { loss, recon, kl, objective: tf.add(recon, tf.mul(objectiveKl, klWeight)) as tf.Scalar };
  }

  /**
   * Importance-sampled log p(x), per example:
   * logsumexp_k [log p(x|z_k) + log p(z_k) − log q(z_k|x)] − log K, z_k ~ q(z|x).
   * Samples are drawn `chunk` at a time and folded into a running logsumexp, so K = 5000 fits.
   */
  logLikelihood(x: tf.Tensor4D, K: number, chunk = 100, seed = 0): tf.Tensor1D {
    const batch = x.shape[0];
    let running: tf.Tensor1D | null = null;
    const next = seedSequence(seed);
    for (let done = 0; done < K; done += chunk) {
      const k = Math.min(chunk, K - done);
      const chunkLse: tf.Tensor1D = tf.tidy(() => {
        const q = this.encode(x);
        // Rows are ordered sample-major: row s·B + b is sample s of example b.
        const mean = tf.tile(q.mean, [k, 1]) as tf.Tensor2D;
        const logvar = tf.tile(q.logvar, [k, 1]) as tf.Tensor2D;
        const qk = new DiagonalGaussian(mean, logvar);
        const z = qk.sample(Math.floor(next() * 2 ** 31)) as tf.Tensor2D;
        const xs = tf.tile(x, [k, 1, 1, 1]) as tf.Tensor4D;
        const logPxz = this.decode(z).logProb(xs);
        const logW = tf.sub(tf.add(logPxz, stdNormalLogProb(z)), qk.logProb(z));
        return tf.logSumExp(tf.reshape(logW, [k, batch]), 0) as tf.Tensor1D;
      });
      if (running === null) {
        running = chunkLse;
      } else {
        const prev: tf.Tensor1D = running;
        running = tf.tidy(() => tf.logSumExp(tf.stack([prev, chunkLse]), 0) as tf.Tensor1D);
        prev.dispose();
        chunkLse.dispose();
      }
    }
    const total = running as tf.Tensor1D;
    const result = tf.tidy(() => tf.sub(total, Math.log(K)) as tf.Tensor1D);
    total.dispose();
    return result;
  }

  /** μ(x) for `count` uint8 images (HWC), in batches of at most `batchSize` and the activation budget; count × d floats. */
  async embed(pixels: Uint8Array, count: number, batchSize = 1000, budgetBytes = ACTIVATION_BUDGET_BYTES): Promise<Float32Array> {
    const d = this.config.latentDim;
    const out = new Float32Array(count * d);
    batchSize = Math.min(batchSize, encodeBatchSize(this.config, budgetBytes));
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const mu = tf.tidy(() => this.encode(imagesToTensor(pixels, start, n, this.config)).mean);
      const [values] = await takeValues([mu]);
      out.set(values, start * d);
    }
    return out;
  }

  /** Decoded images (uint8 HWC) for n latent vectors given as n × d floats, in batches under the activation budget. */
  decodeToPixels(z: Float32Array, n: number, budgetBytes = ACTIVATION_BUDGET_BYTES): Promise<Uint8Array> {
    return decodeInBatches(this, z, n, budgetBytes);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** b / 255 for every byte value b, as float32. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** uint8 HWC images [start, start+n) → float tensor in [0, 1], shape [n, H, W, C]. */
export function imagesToTensor(pixels: Uint8Array, start: number, n: number, c: Pick<VaeConfig, 'height' | 'width' | 'channels'>): tf.Tensor4D {
  const size = c.height * c.width * c.channels;
  const floats = new Float32Array(n * size);
  const src = pixels.subarray(start * size, (start + n) * size);
  // A table of the 256 values: the same floats as src[i] / 255, without a division per pixel.
  for (let i = 0; i < floats.length; i++) floats[i] = BYTE_TO_UNIT[src[i]];
  return tf.tensor4d(floats, [n, c.height, c.width, c.channels]);
}
