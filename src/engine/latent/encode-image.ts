/**
 * Any image file through a model (issue 27): decoded by the ingest's own decoder (decode-core.mjs: the
 * same formats, the same pixel and decoded-byte caps, the same resampling) with the preprocessing the
 * model was trained with, then encoded: μ, σ, the reconstruction and its error. The app (session.ts)
 * and `latentscape encode` add the nearest training images.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createDecoder, type DecodeSettings, type Decoder } from '../data/ingest/decode-core.mjs';
import { imagesToTensor, type Vae, type VaeConfig } from '../model/vae';
import type { DatasetInfo } from '../train/checkpoint';
import { backgroundRgb, recordedBackground } from '../../shared/background';
import { EngineCallError } from '../../shared/engine-protocol';
import { takeValues } from '../tensor-read';

/**
 * How an image becomes the model's input: its size and colour are the model's; fit and background are
 * what its training recorded (a folder model from before the background setting: black, as it was
 * trained). MNIST's digits are light on black and whole in the square: contain, on black.
 */
export function encodeSettings(config: Pick<VaeConfig, 'height' | 'channels'>, trainedOn: DatasetInfo | null | undefined): DecodeSettings {
  const pre = trainedOn?.preprocessing ?? {};
  const mnist = trainedOn?.source.kind === 'mnist';
  const fit = pre.fit === 'cover' || pre.fit === 'contain' ? pre.fit : mnist ? 'contain' : 'cover';
  const background = mnist ? 'black' : (recordedBackground(pre.background) ?? 'black');
  return { size: config.height, color: config.channels === 1 ? 'gray' : 'rgb', fit, background: backgroundRgb(background), thumbSize: 0 };
}

/** The decoder of the last settings asked for (one model is open at a time). */
let cached: { key: string; decoder: Promise<Decoder> } | null = null;

/** The file's pixels as the model takes them, or a refusal that names the file and says why. */
export async function decodeImageFile(name: string, bytes: Uint8Array, settings: DecodeSettings): Promise<Uint8Array> {
  const key = JSON.stringify(settings);
  if (cached?.key !== key) cached = { key, decoder: createDecoder(settings) };
  const decoder = await cached.decoder;
  const result = await decoder.decodeBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if ('skip' in result) throw new EngineCallError('not-an-image', `"${name}" cannot be encoded: ${result.skip}`);
  return result.pixels;
}

export interface EncodedPixels {
  mu: Float32Array;
  sigma: Float32Array;
  /** decode(μ) as uint8 HWC. */
  reconstruction: Uint8Array;
  /** −log p(x | z = μ), nats. */
  reconNats: number;
  /** RMS of image − clipped decode, levels of 255 (as point-stats.ts measures the training images). */
  rmse: number;
}

/** One image (the model's size, uint8 HWC) through the encoder and back; every tensor disposed. */
export async function encodePixels(vae: Vae, pixels: Uint8Array): Promise<EncodedPixels> {
  if (pixels.length !== vae.inputSize) {
    throw new EngineCallError('mismatch', `the image has ${pixels.length} values but the model takes ${vae.inputSize}`);
  }
  const outputs = tf.tidy(() => {
    const x = imagesToTensor(pixels, 0, 1, vae.config);
    const q = vae.encode(x);
    const likelihood = vae.decode(q.mean as tf.Tensor2D);
    const shown = tf.clipByValue(likelihood.mode(), 0, 1);
    return [q.mean, tf.exp(tf.mul(q.logvar, 0.5)), likelihood.nll(x), tf.mul(tf.sqrt(tf.mean(tf.squaredDifference(x, shown))), 255)];
  });
  const [mu, sigma, nll, rmse] = await takeValues(outputs);
  return { mu, sigma, reconstruction: await vae.decodeToPixels(mu, 1), reconNats: nll[0], rmse: rmse[0] };
}
