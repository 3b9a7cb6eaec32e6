/** Per-point statistics of a model on its dataset, for colouring the points of the explorer. */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { imagesToTensor, type Vae } from '../model/vae';
import { roundTripBatchSize } from '../model/decode-batches';
import { yieldToEventLoop } from '../../node/event-loop';
import { takeValues } from '../tensor-read';

const STATS_SLICE = 1000;

/**
 * For every image: −log p(x | z = μ(x)) (the reconstruction error of the image the app shows for
 * it) and KL(q(z|x) ‖ N(0, I)), in nats, and the RMS difference between the image and that decoded
 * image (clipped to [0, 1], as PSNR takes it) in levels of 255: the error the colour legend shows,
 * never negative. In slices, yielding between them so decodes interleave; `onProgress` after each.
 */
export async function pointStats(
  vae: Vae,
  dataset: Dataset,
  onProgress?: (done: number, total: number) => void,
): Promise<{ recon: Float32Array; kl: Float32Array; rmse: Float32Array }> {
  const recon = new Float32Array(dataset.count);
  const kl = new Float32Array(dataset.count);
  const rmse = new Float32Array(dataset.count);
  const slice = Math.min(STATS_SLICE, roundTripBatchSize(vae.config));
  for (let start = 0; start < dataset.count; start += slice) {
    const n = Math.min(slice, dataset.count - start);
    const [r, k, e] = tf.tidy(() => {
      const x = imagesToTensor(dataset.pixels, start, n, vae.config);
      const q = vae.encode(x);
      const likelihood = vae.decode(q.mean as tf.Tensor2D);
      const shown = tf.clipByValue(likelihood.mode(), 0, 1);
      return [likelihood.nll(x), q.klToStdNormal(), tf.mul(tf.sqrt(tf.mean(tf.squaredDifference(x, shown), [1, 2, 3])), 255)];
    });
    const [rValues, kValues, eValues] = await takeValues([r, k, e]);
    recon.set(rValues, start);
    kl.set(kValues, start);
    rmse.set(eValues, start);
    onProgress?.(start + n, dataset.count);
    await yieldToEventLoop();
  }
  return { recon, kl, rmse };
}
