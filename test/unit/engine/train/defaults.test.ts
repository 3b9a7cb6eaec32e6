import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../src/engine/data/dataset';
import { MIN_STEPS, suggestTraining } from '../../../../src/shared/training-defaults';
import { evaluatePsnr } from '../../../../src/engine/train/psnr';
import { train } from '../../../../src/engine/train/trainer';
import { describeEngine } from '../../../engine-suite';

describeEngine('train/defaults', () => {
  /** Smooth colour blobs: learnable, so a calibrated decoder's σ drops well below 1. */
  function blobs(count: number, size: number): Dataset {
    const pixels = new Uint8Array(count * size * size * 3);
    for (let i = 0; i < count; i++) {
      const cx = (i * 0.37) % size;
      const cy = (i * 0.61) % size;
      const colour = [(i * 53) % 256, (i * 97) % 256, (i * 29) % 256];
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const w = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
          for (let c = 0; c < 3; c++) pixels[((i * size + y) * size + x) * 3 + c] = Math.round(255 * (1 - w) + colour[c] * w);
        }
    }
    const nTest = Math.floor(count / 10);
    const train = Uint32Array.from({ length: count - nTest }, (_, i) => i + nTest);
    const test = Uint32Array.from({ length: nTest }, (_, i) => i);
    return {
      name: 'blobs',
      source: { kind: 'folder', path: '/blobs' },
      height: size,
      width: size,
      channels: 3,
      count,
      pixels,
      labels: new Int32Array(count),
      labelNames: [],
      split: { train, test },
      fingerprint: 'blobs',
    };
  }

  describe('training defaults chosen from the dataset', () => {
    it('a small colour folder gets a conv VAE with a learned-scale Gaussian, a time budget and enough steps', () => {
      const s = suggestTraining({ kind: 'folder', trainCount: 3275, height: 32, channels: 3 });
      expect(s).toMatchObject({
        arch: 'conv',
        likelihood: 'gaussian',
        learnedScale: true,
        lr: 5e-3,
        lrSchedule: 'cosine',
        batchSize: 32,
        timeBudgetSeconds: 180,
      });
      expect(s.epochs * Math.ceil(3275 / 32)).toBeGreaterThanOrEqual(MIN_STEPS);
    });

    it('MNIST keeps the MLP with a Bernoulli decoder; big folders use bigger batches; odd sizes an MLP', () => {
      expect(suggestTraining({ kind: 'mnist', trainCount: 60000, height: 28, channels: 1 })).toMatchObject({
        arch: 'mlp',
        likelihood: 'bernoulli',
        learnedScale: false,
        lr: 1e-3,
        lrSchedule: 'constant',
        batchSize: 128,
      });
      expect(suggestTraining({ kind: 'folder', trainCount: 50000, height: 64, channels: 3 })).toMatchObject({ arch: 'conv', batchSize: 128 });
      expect(suggestTraining({ kind: 'folder', trainCount: 500, height: 48, channels: 3 }).arch).toBe('mlp');
    });
  });

  describe('time budget and the calibrated Gaussian scale', () => {
    it('a time budget ends the run after the epoch that used it up', async () => {
      const d = blobs(120, 8);
      const result = await train(d, { arch: 'mlp', latentDim: 2, hidden: 16, epochs: 500, timeBudget: { seconds: 1e-6, clock: 'cpu' } });
      result.vae.dispose();
      expect(result.epochsCompleted).toBe(1);
      expect(result.budgetReached).toBe(true);
      const unbounded = await train(d, { arch: 'mlp', latentDim: 2, hidden: 16, epochs: 3 });
      unbounded.vae.dispose();
      expect(unbounded).toMatchObject({ epochsCompleted: 3, budgetReached: false });
    });

    it('a learned scale follows the reconstruction error instead of creeping down from σ = 1', async () => {
      const d = blobs(400, 8);
      const { vae, metrics } = await train(d, {
        arch: 'mlp',
        latentDim: 4,
        hidden: 64,
        epochs: 4,
        batchSize: 32,
        lr: 3e-3,
        likelihood: 'gaussian',
        learnedScale: true,
      });
      const logvar = vae.params.get('decoder/logvar')!.dataSync()[0];
      // The per-pixel MSE at z = μ on held-out images, from the PSNR: mse = 10^(−PSNR/10) (a lower bound
      // of the sampled-z error the scale tracks, as PSNR averages logs).
      const mse = 10 ** (-(await evaluatePsnr(vae, d, d.split.test)) / 10);
      vae.dispose();
      // 50 Adam steps at lr 3e-3 move a trained log-variance by at most ≈ 0.15 from 0.
      expect(logvar).toBeLessThan(-2);
      expect(Math.exp(logvar)).toBeGreaterThan(mse / 3);
      expect(Math.exp(logvar)).toBeLessThan(mse * 10);
      expect(metrics.at(-1)!.psnr_db!).toBeGreaterThan(metrics[0].psnr_db!);
    });
  });
});
