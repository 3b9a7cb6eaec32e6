/**
 * One optimisation step of the trainer (trainer.ts): Adam on the batch's −ELBO_β, and the calibration of
 * a learned-scale Gaussian decoder between steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Vae } from '../model/vae';
import type { LrPlan } from './lr-schedule';
import { takeScalars } from '../tensor-read';

/** The decoder's learned log-variance never goes below this (σ ≈ 0.01 of the [0, 1] pixel range). */
const MIN_DECODER_LOGVAR = Math.log(1e-4);
/** How fast the decoder's variance follows the batches' squared error (an exponential moving average). */
const SCALE_EMA = 0.1;

/**
 * One optimisation step on a batch: Adam on mean(reconNll + β·kl) with one reparameterised sample.
 * Returns the batch's loss and terms as numbers; leaves no tensors behind.
 *
 * A Gaussian decoder with a learned scale is calibrated rather than trained by gradient steps: its
 * shared variance σ² is set before every step to a moving average of the squared reconstruction error,
 * which is σ²'s maximum-likelihood value. Adam from σ = 1 needs thousands of steps to get there, and
 * until then the reconstruction term is too weak against the KL term, so colour images come out as
 * grey blobs (the "σ-VAE" of Rybkin et al., 2021).
 */
/** What a training step carries from one step to the next besides the weights and Adam (saved in checkpoints for exact resume). */
export interface StepState {
  /** Learned-scale Gaussian decoder: the running mean squared error that sets σ² (null before the first step). */
  scaleMse: number | null;
  /** The learning-rate decay's plan (null: constant rate). */
  lrPlan?: LrPlan | null;
}

/** A step's numbers: the batch's −ELBO_β and its terms, and the objective it minimised (the loss unless the KL was reshaped). */
export interface StepNumbers {
  loss: number;
  recon: number;
  kl: number;
  objective: number;
}

export function createTrainStep(
  vae: Vae,
  optimizer: tf.Optimizer,
  beta: number,
  state: StepState = { scaleMse: null },
  freeBits = 0,
): (x: tf.Tensor4D, sampleSeed: number, klWeight?: number) => Promise<StepNumbers> {
  const scale = vae.config.likelihood === 'gaussian' && vae.config.learnedScale ? vae.params.get('decoder/logvar') : undefined;
  const varList = [...vae.params.values()].filter((v) => v !== scale);
  const pixels = vae.config.height * vae.config.width * vae.config.channels;
  return async (x, sampleSeed, klWeight = beta) => {
    let parts: tf.Tensor[] = [];
    const cost = optimizer.minimize(
      () => {
        const { loss, recon, kl, objective } = vae.loss(x, beta, sampleSeed, { klWeight, freeBits });
        parts = objective === loss ? [tf.keep(recon), tf.keep(kl)] : [tf.keep(recon), tf.keep(kl), tf.keep(loss)];
        return objective;
      },
      true,
      varList,
    ) as tf.Scalar;
    const [objective, recon, kl, trueLoss] = await takeScalars([cost, ...parts]);
    const loss = trueLoss ?? objective;
    if (scale) {
      // recon = ½·Σ((x−μ)²/σ² + log σ² + log 2π) per image, so the per-pixel squared error is
      // (2·recon/D − log σ² − log 2π)·σ²; no extra pass over the batch is needed.
      const logvar = (await scale.data())[0];
      const mse = Math.max(0, (2 * recon) / pixels - logvar - Math.log(2 * Math.PI)) * Math.exp(logvar);
      state.scaleMse = state.scaleMse === null ? mse : (1 - SCALE_EMA) * state.scaleMse + SCALE_EMA * mse;
      const next = Math.max(MIN_DECODER_LOGVAR, Math.log(Math.max(state.scaleMse, 1e-12)));
      tf.tidy(() => scale.assign(tf.fill(scale.shape, next)));
    }
    return { loss, recon, kl, objective };
  };
}
