/**
 * Reconstruction PSNR, the quality number a user can read: how close decode(μ(x)) is to x.
 *
 * Definition (the same in `latentscape eval`, the per-epoch metrics and scripts/reference/torch_vae.py):
 * pixels are x/255 in [0, 1]; the reconstruction is the decoder's mean at z = μ(x), clipped to [0, 1]
 * (for a Bernoulli decoder, sigmoid of the logits); per image MSE = mean over every pixel and channel of
 * (x − x̂)²; per image PSNR = 10·log10(1 / MSE), capped at 100 dB for a perfect copy; psnr_db is the
 * mean of the per-image PSNRs over the images (the held-out split when training).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherImages, type Dataset } from '../data/dataset';
import { imagesToTensor, type Vae } from '../model/vae';
import { roundTripBatchSize } from '../model/decode-batches';
import { takeScalars } from '../tensor-read';

/** MSE below this counts as a perfect copy (100 dB). */
const MIN_MSE = 1e-10;

/** The sum over a batch of the per-image PSNRs of recon against x (both in [0, 1]), as a scalar tensor. */
export function psnrSum(x: tf.Tensor4D, recon: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const mse = tf.maximum(tf.mean(tf.squaredDifference(x, recon), [1, 2, 3]), MIN_MSE);
    // 10·log10(1/mse) = −10/ln(10) · ln(mse)
    return tf.sum(tf.mul(tf.log(mse), -10 / Math.LN10));
  });
}

export async function evaluatePsnr(vae: Vae, d: Dataset, indices: ArrayLike<number>, batchSize = 500): Promise<number> {
  if (indices.length === 0) return NaN;
  batchSize = Math.min(batchSize, roundTripBatchSize(vae.config));
  let sum = 0;
  for (let from = 0; from < indices.length; from += batchSize) {
    const to = Math.min(indices.length, from + batchSize);
    const pixels = gatherImages(d, indices, from, to);
    const psnr = tf.tidy(() => {
      const x = imagesToTensor(pixels, 0, to - from, vae.config);
      return psnrSum(x, vae.decodeMode(vae.encode(x).mean as tf.Tensor2D));
    });
    sum += (await takeScalars([psnr]))[0];
  }
  return sum / indices.length;
}
