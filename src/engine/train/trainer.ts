/**
 * Trains a VAE: Adam, shuffled mini-batches, train and test loss per epoch (with the recon and KL
 * terms), progress events, cancel, seeded determinism, a checkpoint after every epoch and resume.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendName } from '../backend-choice';
import { gatherImages, seededPermutation, type Dataset } from '../data/dataset';
import { Vae, imagesToTensor, makeConfig, seedSequence, type Arch, type DecoderUpsample, type LikelihoodKind, type VaeConfig } from '../model/vae';
import { createAdam } from '../kernels/adam';
import { createTrainStep, type StepState } from './train-step';
import { DivergenceWatch, type Divergence } from './divergence';
import { roundTripBatchSize } from '../model/decode-batches';
import { evaluatePsnr, psnrSum } from './psnr';
import { takeScalars } from '../tensor-read';
import { bitsPerDim, imageDims } from '../../shared/headline-figures';
import { checkKlShaping, klWeightAt } from './kl-schedule';
import { planFor, planProgress, scheduledLr, type LrPlan, type LrSchedule } from './lr-schedule';
import { loadModel, readManifest, saveModel, type DatasetInfo, type EpochMetrics, type TrainingSettings } from './checkpoint';
import { yieldToEventLoop } from '../../node/event-loop';
import { fitModelDensity } from '../latent/model-density';
import { DensityFitCancelled } from '../latent/density-fit';
import type { LatentDensity } from '../../shared/latent-density';

export { createTrainStep, type StepNumbers, type StepState } from './train-step';

export interface TrainConfig {
  arch: Arch;
  latentDim: number;
  epochs: number;
  batchSize?: number;
  lr?: number;
  beta?: number;
  likelihood?: LikelihoodKind;
  learnedScale?: boolean;
  /** Dynamic binarisation: every batch is resampled as Bernoulli(pixel intensity). */
  binarize?: boolean;
  /** The learning rate over the run (lr-schedule.ts); default constant. */
  lrSchedule?: LrSchedule;
  seed?: number;
  hidden?: number;
  filters?: number[];
  /** conv: the decoder's upsampling and residual blocks per level (model/conv-arch.ts). */
  decoderUpsample?: DecoderUpsample;
  residualBlocks?: number;
  /** KL warm-up: the KL's weight rises linearly from 0 to β over this fraction of the run (0: none). */
  klWarmup?: number;
  /** Free bits: nats per latent dimension below which the KL is not penalised (0: none). */
  freeBits?: number;
}

export type TrainEvent =
  | { type: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; samples_per_s: number; eta_s: number }
  | ({ type: 'epoch' } & EpochMetrics)
  | { type: 'checkpoint'; epoch: number; dir: string };

export interface TrainOptions extends TrainConfig {
  /** Model directory: a checkpoint is written there after every epoch. */
  outDir?: string;
  /** Continue from the checkpoint in outDir (its weights, Adam state and epoch count). */
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /** Extra preprocessing facts to record with the dataset (size, color, fit …). */
  preprocessing?: DatasetInfo['preprocessing'];
  /**
   * Called after every step with the model being trained (the app re-embeds a sample of the data
   * every so often from it, so the user watches the space form). Awaited: it may yield.
   */
  onStep?: (info: {
    vae: Vae;
    epoch: number;
    step: number;
    stepsPerEpoch: number;
    loss: number;
    recon: number;
    kl: number;
    last: boolean;
  }) => void | Promise<void>;
  /** Minimum milliseconds between 'step' events. */
  progressIntervalMs?: number;
  /**
   * Stop on time instead of (or before) `epochs`: an epoch is not started when the last one's duration
   * says it would end past the budget. 'cpu' counts this process's CPU time (fair on a shared machine),
   * 'wall' the time the user waits.
   */
  timeBudget?: { seconds: number; clock?: 'wall' | 'cpu' };
}

export interface TrainResult {
  vae: Vae;
  metrics: EpochMetrics[];
  cancelled: boolean;
  epochsCompleted: number;
  /** True when the time budget ended the run before `epochs`. */
  budgetReached: boolean;
  /**
   * The latent density fitted to the training means of the final checkpoint and stored in it (null: no
   * epoch ran, the run was cancelled, no outDir, or too few images to fit one).
   */
  latentDensity: LatentDensity | null;
  /** Why the density could not be fitted (the checkpoint is saved without one), or null. */
  densityError: string | null;
  /**
   * The loss exploded (divergence.ts): the run stopped in that epoch and did not save it, so the folder
   * keeps the checkpoint before it (or what it held before the run); null when it did not.
   */
  diverged: Divergence | null;
}

function budgetClock(kind: 'wall' | 'cpu'): () => number {
  if (kind === 'wall') return () => performance.now() / 1000;
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
}

function datasetInfo(d: Dataset, preprocessing?: DatasetInfo['preprocessing']): DatasetInfo {
  return { name: d.name, source: d.source, fingerprint: d.fingerprint, count: d.count, labelNames: d.labelNames, ...(preprocessing ? { preprocessing } : {}) };
}

/** The images to train on as floats in [0, 1]; binarised with a seeded draw when asked. */
function batchTensor(d: Dataset, indices: ArrayLike<number>, from: number, to: number, config: VaeConfig, binarizeSeed: number | null): tf.Tensor4D {
  const pixels = gatherImages(d, indices, from, to);
  return tf.tidy(() => {
    const x = imagesToTensor(pixels, 0, to - from, config);
    if (binarizeSeed === null) return x;
    return tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', binarizeSeed), x), 'float32') as tf.Tensor4D;
  });
}

/** Mean −ELBO and its terms over a split, one reparameterised sample per image (as in training). */
export async function evaluateElbo(
  vae: Vae,
  d: Dataset,
  indices: ArrayLike<number>,
  beta: number,
  binarize: boolean,
  seed: number,
  batchSize = 500,
): Promise<{ loss: number; recon: number; kl: number }> {
  const { loss, recon, kl } = await heldOutPass([vae, d, indices, beta, binarize, seed, batchSize], false);
  return { loss, recon, kl };
}

/**
 * The held-out metrics of an epoch (and of `latentscape eval`): evaluateElbo's terms and evaluatePsnr's
 * PSNR, the same numbers, with one encoder pass per batch shared by both when the ELBO is taken on the
 * images themselves (with dynamic binarisation it is not: then the PSNR takes its own pass).
 */
export async function evaluateHeldOut(...[vae, d, indices, beta, binarize, seed, batchSize = 500]: Parameters<typeof evaluateElbo>): Promise<{
  loss: number;
  recon: number;
  kl: number;
  psnr: number;
}> {
  if (binarize) return { ...(await evaluateElbo(vae, d, indices, beta, binarize, seed, batchSize)), psnr: await evaluatePsnr(vae, d, indices, batchSize) };
  return heldOutPass([vae, d, indices, beta, binarize, seed, batchSize], true);
}

/** One pass over a split: the ELBO's sums with one sample per image (its noise from `seed`), and optionally the PSNR of decode(μ). */
async function heldOutPass(
  [vae, d, indices, beta, binarize, seed, batchSize = 500]: Parameters<typeof evaluateElbo>,
  withPsnr: boolean,
): Promise<{ loss: number; recon: number; kl: number; psnr: number }> {
  let recon = 0;
  let kl = 0;
  let psnr = 0;
  const next = seedSequence(seed);
  batchSize = Math.min(batchSize, roundTripBatchSize(vae.config));
  for (let from = 0; from < indices.length; from += batchSize) {
    const to = Math.min(indices.length, from + batchSize);
    const sums = tf.tidy(() => {
      const x = batchTensor(d, indices, from, to, vae.config, binarize ? Math.floor(next() * 2 ** 31) : null);
      const q = vae.encode(x);
      const likelihood = vae.decode(vae.reparameterize(q, Math.floor(next() * 2 ** 31)));
      const terms = [tf.sum(likelihood.nll(x)), tf.sum(q.klToStdNormal())];
      return withPsnr ? [...terms, psnrSum(x, vae.decodeMode(q.mean as tf.Tensor2D))] : terms;
    });
    const [r, k, p = 0] = await takeScalars(sums);
    recon += r;
    kl += k;
    psnr += p;
  }
  const n = Math.max(1, indices.length);
  return { loss: (recon + beta * kl) / n, recon: recon / n, kl: kl / n, psnr: withPsnr && indices.length > 0 ? psnr / indices.length : NaN };
}

function checkDatasetFits(config: VaeConfig, d: Dataset): void {
  if (config.height !== d.height || config.width !== d.width || config.channels !== d.channels) {
    throw new Error(`the model expects ${config.height}×${config.width}×${config.channels} images but the dataset has ${d.height}×${d.width}×${d.channels}`);
  }
}

export async function train(dataset: Dataset, options: TrainOptions): Promise<TrainResult> {
  const settings: TrainingSettings = {
    epochs: options.epochs,
    batchSize: options.batchSize ?? 128,
    lr: options.lr ?? 1e-3,
    beta: options.beta ?? 1,
    binarize: options.binarize ?? false,
    seed: options.seed ?? 0,
    ...(options.lrSchedule === 'cosine' ? { lrSchedule: 'cosine' as const } : {}),
    // Recorded only when used, so a run without them keeps today's manifest.
    ...(options.klWarmup ? { klWarmup: options.klWarmup } : {}),
    ...(options.freeBits ? { freeBits: options.freeBits } : {}),
  };
  checkKlShaping(settings.klWarmup ?? 0, settings.freeBits ?? 0);
  if (!Number.isInteger(settings.epochs) || settings.epochs < 1) throw new Error(`epochs must be a positive integer, got ${settings.epochs}`);
  if (dataset.split.train.length === 0) throw new Error('the dataset has no training images');

  let vae: Vae | undefined;
  let metrics: EpochMetrics[] = [];
  let startEpoch = 0;
  let createdAt: string | undefined;
  const optimizer = createAdam(settings.lr);
  const stepState: StepState = { scaleMse: null };
  try {
    if (options.resume) {
      if (!options.outDir) throw new Error('resume needs the model directory to continue from');
      const previous = await readManifest(options.outDir);
      if (previous.dataset && previous.dataset.fingerprint !== dataset.fingerprint) {
        throw new Error(`cannot resume: ${options.outDir} was trained on a different dataset (fingerprint differs)`);
      }
      const loaded = await loadModel(options.outDir, { withOptimizer: true });
      vae = loaded.vae;
      metrics = loaded.manifest.metrics;
      startEpoch = loaded.manifest.epochsCompleted;
      createdAt = loaded.manifest.createdAt;
      stepState.scaleMse = loaded.manifest.stepState?.scaleMse ?? null;
      stepState.lrPlan = loaded.manifest.stepState?.lrPlan ?? null;
      if (loaded.optimizerState) {
        await optimizer.setWeights(loaded.optimizerState);
        tf.dispose(loaded.optimizerState.map((w) => w.tensor));
      }
    } else {
      const config = makeConfig({
        arch: options.arch,
        latentDim: options.latentDim,
        height: dataset.height,
        width: dataset.width,
        channels: dataset.channels,
        likelihood: options.likelihood,
        learnedScale: options.learnedScale,
        hidden: options.hidden,
        filters: options.filters,
        decoderUpsample: options.decoderUpsample,
        residualBlocks: options.residualBlocks,
      });
      vae = Vae.create(config, settings.seed);
    }
    checkDatasetFits(vae.config, dataset);
  } catch (err) {
    // A refused start (another image size, another dataset, a broken checkpoint) keeps nothing allocated.
    vae?.dispose();
    optimizer.dispose();
    throw err;
  }

  const trainStep = createTrainStep(vae, optimizer, settings.beta, stepState, settings.freeBits ?? 0);
  // The warm-up spans the run by its steps from epoch 0 (a resumed run continues it), or this run's
  // time budget when that is further along.
  const warmupPlan: LrPlan = { fromEpoch: 0, toEpoch: settings.epochs };
  const trainIdx = dataset.split.train;
  const testIdx = dataset.split.test;
  const stepsPerEpoch = Math.ceil(trainIdx.length / settings.batchSize);
  const interval = options.progressIntervalMs ?? 250;
  let cancelled = false;
  let budgetReached = false;
  let diverged: Divergence | null = null;
  const watch = new DivergenceWatch(imageDims(vae.config), metrics);
  let epochsCompleted = startEpoch;
  const clock = budgetClock(options.timeBudget?.clock ?? 'wall');
  const runStarted = clock();
  let lastEpochSeconds = 0;
  const schedule: LrSchedule = settings.lrSchedule ?? 'constant';
  stepState.lrPlan = schedule === 'cosine' ? planFor(startEpoch, settings.epochs, stepState.lrPlan, Boolean(options.timeBudget)) : null;
  const lrPlan = stepState.lrPlan;
  const save = (dir: string, latentDensity: LatentDensity | null = null) =>
    saveModel(dir, vae, {
      training: settings,
      dataset: datasetInfo(dataset, options.preprocessing),
      epochsCompleted,
      metrics,
      optimizer,
      stepState,
      createdAt,
      latentDensity,
    });
  let latentDensity: LatentDensity | null = null;
  let densityError: string | null = null;

  try {
    for (let epoch = startEpoch; epoch < settings.epochs; epoch++) {
      if (options.timeBudget && epoch > startEpoch && clock() - runStarted + lastEpochSeconds > options.timeBudget.seconds) {
        budgetReached = true;
        break;
      }
      const epochStarted = clock();
      // Each epoch's order and noise derive from (seed, epoch), so a resumed run continues identically.
      const order = seededPermutation(trainIdx.length, settings.seed * 1000003 + epoch);
      const shuffled = new Uint32Array(trainIdx.length);
      for (let i = 0; i < order.length; i++) shuffled[i] = trainIdx[order[i]];
      const noise = seedSequence(settings.seed * 7919 + epoch + 1);
      let reconSum = 0;
      let klSum = 0;
      let objectiveSum = 0;
      let seen = 0;
      const started = performance.now();
      let lastEvent = started;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        const from = step * settings.batchSize;
        const to = Math.min(shuffled.length, from + settings.batchSize);
        if (lrPlan) {
          const budgetFraction = options.timeBudget ? (clock() - runStarted) / options.timeBudget.seconds : null;
          optimizer.setLearningRate(scheduledLr(settings.lr, schedule, planProgress(lrPlan, epoch, step, stepsPerEpoch, budgetFraction)));
        }
        const x = batchTensor(dataset, shuffled, from, to, vae.config, settings.binarize ? Math.floor(noise() * 2 ** 31) : null);
        const budgetNow = options.timeBudget ? (clock() - runStarted) / options.timeBudget.seconds : null;
        const klWeight = klWeightAt(settings.beta, settings.klWarmup ?? 0, planProgress(warmupPlan, epoch, step, stepsPerEpoch, budgetNow));
        const { loss, recon, kl, objective } = await trainStep(x, Math.floor(noise() * 2 ** 31), klWeight);
        x.dispose();
        diverged = watch.step(epoch + 1, step + 1, loss);
        if (diverged) break;
        const n = to - from;
        reconSum += recon * n;
        klSum += kl * n;
        objectiveSum += objective * n;
        seen += n;
        const now = performance.now();
        if (now - lastEvent >= interval || step === stepsPerEpoch - 1) {
          lastEvent = now;
          const rate = seen / ((now - started) / 1000);
          const remaining = (settings.epochs - epoch - 1) * trainIdx.length + (trainIdx.length - seen);
          options.onEvent?.({ type: 'step', epoch: epoch + 1, step: step + 1, stepsPerEpoch, loss, samples_per_s: rate, eta_s: remaining / rate });
        }
        if (options.onStep) await options.onStep({ vae, epoch: epoch + 1, step: step + 1, stepsPerEpoch, loss, recon, kl, last: step === stepsPerEpoch - 1 });
        await yieldToEventLoop();
      }
      if (cancelled || diverged) break;
      const seconds = (performance.now() - started) / 1000;
      const { psnr, ...test } = await evaluateHeldOut(vae, dataset, testIdx, settings.beta, settings.binarize, settings.seed + 17);
      const trainLoss = (reconSum + settings.beta * klSum) / seen;
      // Checked before the epoch is recorded or saved: a diverged epoch never replaces the checkpoint before it.
      diverged = watch.epoch(epoch + 1, trainLoss);
      if (diverged) break;
      const dims = imageDims(vae.config);
      const record: EpochMetrics = {
        epoch: epoch + 1,
        train_loss: trainLoss,
        test_loss: test.loss,
        recon: reconSum / seen,
        kl: klSum / seen,
        test_recon: test.recon,
        test_kl: test.kl,
        ...(Number.isFinite(psnr) ? { psnr_db: psnr } : {}),
        train_bpd: bitsPerDim(trainLoss, dims, vae.config.likelihood),
        test_bpd: bitsPerDim(test.loss, dims, vae.config.likelihood),
        ...(settings.klWarmup || settings.freeBits ? { train_objective: objectiveSum / seen } : {}),
        samples_per_s: seen / seconds,
        seconds,
        backend: backendName(),
      };
      metrics = [...metrics, record];
      epochsCompleted = epoch + 1;
      options.onEvent?.({ type: 'epoch', ...record });
      if (options.outDir) {
        await save(options.outDir);
        createdAt ??= new Date().toISOString();
        options.onEvent?.({ type: 'checkpoint', epoch: epochsCompleted, dir: options.outDir });
      }
      lastEpochSeconds = clock() - epochStarted;
    }
    // The final checkpoint gets the density of its training means (a cancelled run's in-memory weights
    // are ahead of its last checkpoint: `latentscape prepare` fits that one later).
    if (options.outDir && !cancelled && !diverged && epochsCompleted > startEpoch && trainIdx.length >= 2 * (vae.config.latentDim + 1)) {
      try {
        latentDensity = (await fitModelDensity(vae, dataset, trainIdx, { seed: settings.seed, signal: options.signal })).density;
        await save(options.outDir, latentDensity);
      } catch (err) {
        // The checkpoint is already saved: a fit that fails costs the density only (prepare retries).
        if (err instanceof DensityFitCancelled) cancelled = true;
        else densityError = `the latent density could not be fitted: ${(err as Error).message}`;
        latentDensity = null;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { vae, metrics, cancelled, epochsCompleted, budgetReached, latentDensity, densityError, diverged };
}
