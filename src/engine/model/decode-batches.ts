/**
 * Decodes of any size in batches sized by bytes: each batch's activations (activation-bytes.ts) stay
 * within a budget, so one call's peak is the same for 8 images or 4096. Every decode path of the engine
 * goes through here (Vae.decodeToPixels calls it), so callers choose what to decode, not how much at once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_BUDGET_BYTES } from '../../shared/limits';
import { decodeActivationBytes, encodeActivationBytes, imagesPerBatch } from './activation-bytes';
import type { VaeConfig } from './vae';
import { takeValues } from '../tensor-read';

/** What a batched decode needs of a model (Vae has it). */
export interface Decoder {
  readonly config: VaeConfig;
  decodeMode(z: tf.Tensor2D): tf.Tensor4D;
}

/** Latent vectors per decode batch for this config under `budgetBytes`. */
export function decodeBatchSize(config: VaeConfig, budgetBytes = ACTIVATION_BUDGET_BYTES): number {
  return imagesPerBatch(decodeActivationBytes(config), budgetBytes);
}

/** Images per encode batch for this config under `budgetBytes`. */
export function encodeBatchSize(config: VaeConfig, budgetBytes = ACTIVATION_BUDGET_BYTES): number {
  return imagesPerBatch(encodeActivationBytes(config), budgetBytes);
}

/** Images per batch of a pass that encodes and then decodes each image (point statistics, PSNR). */
export function roundTripBatchSize(config: VaeConfig, budgetBytes = ACTIVATION_BUDGET_BYTES): number {
  return imagesPerBatch(encodeActivationBytes(config) + decodeActivationBytes(config), budgetBytes);
}

/** Decoded images (uint8 HWC) for n latent vectors given as n × d floats, batch by batch. */
export async function decodeInBatches(model: Decoder, z: Float32Array, n: number, budgetBytes = ACTIVATION_BUDGET_BYTES): Promise<Uint8Array> {
  const c = model.config;
  const d = c.latentDim;
  const imageSize = c.height * c.width * c.channels;
  const out = new Uint8Array(n * imageSize);
  const batch = decodeBatchSize(c, budgetBytes);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const img = tf.tidy(() => tf.mul(model.decodeMode(tf.tensor2d(z.subarray(start * d, (start + count) * d), [count, d])), 255));
    const [values] = await takeValues([img]);
    const offset = start * imageSize;
    for (let i = 0; i < values.length; i++) out[offset + i] = Math.round(values[i]);
  }
  return out;
}

/** n images decoded from z ~ N(0, I) drawn from `seed`: the z Vae.sample draws, decoded in batches. */
export async function sampleInBatches(model: Decoder, n: number, seed?: number, budgetBytes = ACTIVATION_BUDGET_BYTES): Promise<Uint8Array> {
  const z = tf.tidy(() => tf.randomNormal([n, model.config.latentDim], 0, 1, 'float32', seed));
  const [values] = await takeValues([z]);
  return decodeInBatches(model, values, n, budgetBytes);
}
