import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../src/engine/data/dataset';
import { Vae, imagesToTensor, makeConfig, seedSequence } from '../../../../src/engine/model/vae';
import { evaluatePsnr } from '../../../../src/engine/train/psnr';
import { evaluateElbo, evaluateHeldOut, train } from '../../../../src/engine/train/trainer';
import { describeEngine } from '../../../engine-suite';

describeEngine('train/psnr', () => {
  function colourDataset(count: number, size: number): Dataset {
    const pixels = new Uint8Array(count * size * size * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + Math.floor(i / 97) * 11) % 256;
    const train = Uint32Array.from({ length: count - 6 }, (_, i) => i);
    const test = Uint32Array.from({ length: 6 }, (_, i) => count - 6 + i);
    return {
      name: 'colours',
      source: { kind: 'folder', path: '/x' },
      height: size,
      width: size,
      channels: 3,
      count,
      pixels,
      labels: new Int32Array(count),
      labelNames: [],
      split: { train, test },
      fingerprint: 'fp',
    };
  }

  describe('reconstruction PSNR', () => {
    it('is the mean over images of 10·log10(1/MSE) of decode(μ) against x/255, computed independently', async () => {
      const d = colourDataset(20, 8);
      const vae = Vae.create(
        makeConfig({ arch: 'mlp', latentDim: 3, height: 8, width: 8, channels: 3, hidden: 16, likelihood: 'gaussian', learnedScale: true }),
        5,
      );
      const size = 8 * 8 * 3;
      // Independent: μ through embed, the decoder mean through decodeMode, then plain JS arithmetic.
      const test = Array.from(d.split.test);
      const picked = new Uint8Array(test.length * size);
      test.forEach((idx, i) => picked.set(d.pixels.subarray(idx * size, (idx + 1) * size), i * size));
      const mu = await vae.embed(picked, test.length);
      const recon = tf.tidy(() => vae.decodeMode(tf.tensor2d(mu, [test.length, 3])).dataSync());
      let expected = 0;
      for (let i = 0; i < test.length; i++) {
        let se = 0;
        for (let p = 0; p < size; p++) se += (picked[i * size + p] / 255 - recon[i * size + p]) ** 2;
        expected += 10 * Math.log10(1 / (se / size));
      }
      expected /= test.length;
      const before = tf.memory().numTensors;
      expect(await evaluatePsnr(vae, d, d.split.test, 4)).toBeCloseTo(expected, 3);
      expect(tf.memory().numTensors).toBe(before);
      vae.dispose();
    });

    it('evaluateHeldOut gives evaluateElbo and evaluatePsnr in one pass: the same numbers, no tensors left', async () => {
      const d = colourDataset(23, 8);
      const vae = Vae.create(
        makeConfig({ arch: 'conv', latentDim: 3, height: 8, width: 8, channels: 3, filters: [4], likelihood: 'gaussian', learnedScale: true }),
        7,
      );
      const indices = Uint32Array.from({ length: 23 }, (_, i) => i);
      const before = tf.memory().numTensors;
      // batches of 5 over 23 images: several batches and a short last one
      const together = await evaluateHeldOut(vae, d, indices, 0.5, false, 11, 5);
      expect(tf.memory().numTensors).toBe(before);
      const elbo = await evaluateElbo(vae, d, indices, 0.5, false, 11, 5);
      expect(together.loss).toBeCloseTo(elbo.loss, 6);
      expect(together.recon).toBeCloseTo(elbo.recon, 6);
      expect(together.kl).toBeCloseTo(elbo.kl, 6);
      // independently: vae.forward on the same batches with the same draws (one per batch from the seed)
      const next = seedSequence(11);
      let recon = 0;
      let kl = 0;
      for (let from = 0; from < 23; from += 5) {
        const n = Math.min(5, 23 - from);
        tf.tidy(() => {
          const parts = vae.forward(imagesToTensor(d.pixels, from, n, vae.config), Math.floor(next() * 2 ** 31));
          recon += tf.sum(parts.reconNll).dataSync()[0];
          kl += tf.sum(parts.kl).dataSync()[0];
        });
      }
      expect(together.recon).toBeCloseTo(recon / 23, 3);
      expect(together.kl).toBeCloseTo(kl / 23, 4);
      expect(together.loss).toBeCloseTo((recon + 0.5 * kl) / 23, 3);
      expect(together.psnr).toBeCloseTo(await evaluatePsnr(vae, d, indices, 5), 6);
      // another noise seed gives another ELBO: the seed is used as evaluateElbo uses it
      expect((await evaluateHeldOut(vae, d, indices, 0.5, false, 12, 5)).loss).not.toBeCloseTo(elbo.loss, 6);
      vae.dispose();
    });

    it('is recorded with every epoch and rises as a model learns', async () => {
      const d = colourDataset(200, 8);
      const { vae, metrics } = await train(d, {
        arch: 'mlp',
        latentDim: 4,
        epochs: 6,
        batchSize: 32,
        lr: 3e-3,
        likelihood: 'gaussian',
        learnedScale: true,
        hidden: 64,
      });
      vae.dispose();
      expect(metrics.every((m) => typeof m.psnr_db === 'number' && Number.isFinite(m.psnr_db))).toBe(true);
      expect(metrics.at(-1)!.psnr_db!).toBeGreaterThan(metrics[0].psnr_db!);
    });
  });
});
