/**
 * Training settings chosen from the dataset (for the CLI and the app alike), so a user without ML expertise gets a good model of their
 * own folder: what to train (architecture, likelihood), how fast (learning rate, batch) and for how long
 * (a time budget, with enough epochs that a small folder still gets enough optimisation steps).
 *
 * Measured on a folder of 3,639 colourful 32×32 icons (scripts/build-icon-folder.mjs, runs in
 * scripts/reference/README.md): a conv VAE with a calibrated Gaussian decoder learns colours where a
 * Bernoulli or fixed-σ decoder gives grey blurs; lr 5e-3 after a short warm-up (lr-schedule.ts) beats 3e-3, and
 * 3e-3 beats 1e-3 (5e-3 without the warm-up diverges); batch 32 gets
 * further in the same CPU time than 64 or 128 (more steps an epoch for little extra cost per image); and a
 * rate decaying over the run (cosine) ends higher than a constant one, whose last epochs jitter.
 */
/** Image sizes the conv VAE takes (the engine's model/vae.ts uses this list). */
export const CONV_SIZES = [28, 32, 64, 128] as const;

import type { Arch, Channels, DecoderUpsample, LikelihoodKind, LrSchedule } from './vocabulary';

/** The decoder's shape and the KL's weighting, which a run may set (the CLI's options, the training panel's advanced settings). */
export interface DecoderOptions {
  /** conv: how the decoder doubles its resolution (engine/model/conv-arch.ts). */
  decoderUpsample: DecoderUpsample;
  /** conv: residual blocks per resolution level. */
  residualBlocks: number;
  /** The KL's weight rises from 0 to β over this first fraction of the run (engine/train/kl-schedule.ts). */
  klWarmup: number;
  /** Nats per latent dimension under which the KL is not penalised. */
  freeBits: number;
  /** The KL's weight (β-VAE when ≠ 1). */
  beta: number;
}

/**
 * What a run gets unless asked otherwise, in the CLI and the app alike: the model of before the options.
 * A variant replaces it only by beating it on both PSNR and the sample distance. The 2026-12-07 sweep
 * (scripts/reference/README.md, 3 seeds, icons and sprites, native, 3 minutes) found none that does. Wider
 * layers sharpen the decoder but give no better samples, and they cost a third of the epochs.
 */
export const DECODER_DEFAULTS: Readonly<DecoderOptions> = { decoderUpsample: 'transpose', residualBlocks: 0, klWarmup: 0, freeBits: 0, beta: 1 };

export interface DatasetShape {
  /** 'mnist' for the built-in set (near-binary strokes), 'folder' for the user's images. */
  kind: 'mnist' | 'folder';
  trainCount: number;
  height: number;
  channels: Channels;
}

export interface SuggestedTraining {
  arch: Arch;
  /** Room for colour and shape in a folder's latent space (d = 2 gives blurs there); MNIST keeps its 2-d map. */
  latentDim: number;
  likelihood: LikelihoodKind;
  learnedScale: boolean;
  lr: number;
  /** Folders: the rate decays over the run, so the last epochs settle instead of jittering. */
  lrSchedule: LrSchedule;
  batchSize: number;
  /** Upper bound: enough epochs for MIN_STEPS optimisation steps (and at least 10). */
  epochs: number;
  /** Training stops at the end of the epoch that would pass this many seconds. */
  timeBudgetSeconds: number;
  /** Whether a run trains on `timeBudgetSeconds` unless told how long (a folder), or for `fixedEpochs` (MNIST). */
  budgeted: boolean;
  /** The epochs of a run without a time budget when none are asked for. */
  fixedEpochs: number;
}

/** A small folder still needs this many optimisation steps to give a usable model. */
export const MIN_STEPS = 6000;
export const DEFAULT_TIME_BUDGET_S = 180;
/** MNIST's epochs when nothing else is asked for. */
export const MNIST_EPOCHS = 10;
/** The side a folder's images are resized to unless asked otherwise: a size the conv VAE takes. */
export const FOLDER_IMAGE_SIZE = 32;
/** A folder's latent size: the one the icon runs of scripts/reference/README.md measured. */
export const FOLDER_LATENT = 32;
/** MNIST's: the default model's 2-d map, which the app shows as it is. */
export const MNIST_LATENT = 2;

/** Adam's rate for an architecture: the conv rate is measured with its warm-up (lr-schedule.ts). */
export function learningRateFor(arch: Arch): number {
  return arch === 'conv' ? 5e-3 : 1e-3;
}

export function suggestTraining(d: DatasetShape): SuggestedTraining {
  const conv = d.kind === 'folder' && (CONV_SIZES as readonly number[]).includes(d.height);
  const arch: Arch = conv ? 'conv' : 'mlp';
  // Near-binary strokes suit a Bernoulli decoder; photos and icons need a Gaussian with a calibrated σ.
  const gaussian = d.kind === 'folder';
  const batchSize = d.trainCount < 20000 ? 32 : 128;
  const stepsPerEpoch = Math.max(1, Math.ceil(d.trainCount / batchSize));
  const epochs = Math.min(100000, Math.max(10, Math.ceil(MIN_STEPS / stepsPerEpoch)));
  return {
    arch,
    latentDim: d.kind === 'folder' ? FOLDER_LATENT : MNIST_LATENT,
    likelihood: gaussian ? 'gaussian' : 'bernoulli',
    learnedScale: gaussian,
    lr: learningRateFor(arch),
    lrSchedule: gaussian ? 'cosine' : 'constant',
    batchSize,
    epochs,
    timeBudgetSeconds: DEFAULT_TIME_BUDGET_S,
    budgeted: d.kind === 'folder',
    fixedEpochs: MNIST_EPOCHS,
  };
}
