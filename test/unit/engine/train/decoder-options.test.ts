/**
 * The options under measurement for a better decoder (issue 21, item 4): KL warm-up and free bits in
 * the objective (the reported loss stays the ELBO), and a tiny training of every option with tensor
 * counts flat, its settings recorded in the manifest.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { klFreeBitsMean, klToStdNormalMean } from '../../../../src/engine/model/elbo-ops';
import { Vae, imagesToTensor, makeConfig } from '../../../../src/engine/model/vae';
import { createAdam } from '../../../../src/engine/kernels/adam';
import { readManifest } from '../../../../src/engine/train/checkpoint';
import { klWeightAt } from '../../../../src/engine/train/kl-schedule';
import { createTrainStep, train, type TrainOptions } from '../../../../src/engine/train/trainer';
import { normalStream, tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

function random(shape: [number, number], seed: number, scale = 1, offset = 0): tf.Tensor2D {
  const next = normalStream(seed);
  return tf.tensor2d(
    Float32Array.from({ length: shape[0] * shape[1] }, () => offset + scale * next()),
    shape,
  );
}

/** Σ_j max(λ, mean_b ½(exp(lv) + μ² − 1 − lv)), on plain arrays. */
function freeBitsByHand(mu: number[][], lv: number[][], lambda: number): number {
  let total = 0;
  for (let j = 0; j < mu[0].length; j++) {
    let sum = 0;
    for (let b = 0; b < mu.length; b++) sum += 0.5 * (Math.exp(lv[b][j]) + mu[b][j] ** 2 - 1 - lv[b][j]);
    total += Math.max(lambda, sum / mu.length);
  }
  return total;
}

describeEngine('train/decoder-options', () => {
  describe('KL warm-up', () => {
    it('the KL weight rises linearly from 0 to β over the warm-up, then stays at β', () => {
      expect(klWeightAt(2, 0.2, 0)).toBe(0);
      expect(klWeightAt(2, 0.2, 0.05)).toBeCloseTo(0.5, 12);
      expect(klWeightAt(2, 0.2, 0.1)).toBeCloseTo(1, 12);
      expect(klWeightAt(2, 0.2, 0.2)).toBe(2);
      expect(klWeightAt(2, 0.2, 0.9)).toBe(2);
      expect(klWeightAt(2, 0, 0)).toBe(2);
      expect(klWeightAt(0.5, 1, 0.5)).toBeCloseTo(0.25, 12);
    });
  });

  describe('free bits', () => {
    // Means near 0 for the first dimensions (KL under the floor), far for the last (over it).
    const mean = () => tf.concat([random([6, 2], 1, 0.05), random([6, 2], 2, 1.5, 1)], 1) as tf.Tensor2D;
    const logvar = () => random([6, 4], 3, 0.05);

    it('is Σ_j max(λ, batch-mean KL_j), as computed by hand, and the KL itself when λ = 0', () =>
      tf.tidy(() => {
        const mu = mean();
        const lv = logvar();
        const byHand = freeBitsByHand(mu.arraySync(), lv.arraySync(), 0.5);
        expect(klFreeBitsMean(mu, lv, 0.5).dataSync()[0]).toBeCloseTo(byHand, 4);
        expect(byHand).toBeGreaterThan(freeBitsByHand(mu.arraySync(), lv.arraySync(), 0));
        expect(klFreeBitsMean(mu, lv, 0).dataSync()[0]).toBeCloseTo(klToStdNormalMean(mu, lv).dataSync()[0], 4);
      }));

    it('its gradient is the KL’s for dimensions over the floor and 0 for those under it', () =>
      tf.tidy(() => {
        const [dMu, dLv] = tf.grads((m: tf.Tensor, l: tf.Tensor) => klFreeBitsMean(m as tf.Tensor2D, l as tf.Tensor2D, 0.5))([mean(), logvar()]);
        const [kMu, kLv] = tf.grads((m: tf.Tensor, l: tf.Tensor) => klToStdNormalMean(m as tf.Tensor2D, l as tf.Tensor2D))([mean(), logvar()]);
        const [fm, fl, km, kl] = [dMu, dLv, kMu, kLv].map((t) => t.arraySync() as number[][]);
        for (let b = 0; b < 6; b++) {
          for (const j of [0, 1]) expect([Math.abs(fm[b][j]), Math.abs(fl[b][j])]).toEqual([0, 0]);
          for (const j of [2, 3]) {
            expect(fm[b][j]).toBeCloseTo(km[b][j], 6);
            expect(fl[b][j]).toBeCloseTo(kl[b][j], 6);
          }
        }
      }));

    it('changes the objective only: the loss stays recon + β·KL', async () => {
      const mnist = limitDataset(await loadMnist(), 16);
      const vae = Vae.create(makeConfig({ arch: 'conv', latentDim: 4, height: 28 }), 1);
      tf.tidy(() => {
        const x = imagesToTensor(mnist.pixels, 0, 8, mnist);
        const plain = vae.loss(x, 1.5, 3);
        const shaped = vae.loss(x, 1.5, 3, { freeBits: 2, klWeight: 0.7 });
        const q = vae.encode(x);
        const floored = klFreeBitsMean(q.mean as tf.Tensor2D, q.logvar as tf.Tensor2D, 2).dataSync()[0];
        const [loss, recon, kl] = [plain.loss, plain.recon, plain.kl].map((t) => t.dataSync()[0]);
        expect(shaped.loss.dataSync()[0]).toBeCloseTo(loss, 4);
        expect(loss).toBeCloseTo(recon + 1.5 * kl, 3);
        expect(shaped.objective.dataSync()[0]).toBeCloseTo(recon + 0.7 * floored, 3);
        expect(floored).toBeGreaterThanOrEqual(4 * 2);
        expect(plain.objective).toBe(plain.loss);
      });
      vae.dispose();
    });
  });

  describe('tiny trainings of every option', () => {
    let small: Dataset;
    beforeAll(async () => {
      small = limitDataset(await loadMnist(), 48);
    });

    const OPTIONS: [string, Partial<TrainOptions>][] = [
      ['resize-conv', { decoderUpsample: 'resize-conv' }],
      ['residual blocks', { residualBlocks: 1 }],
      // Small filters (the cpu backend's convolutions are slow: [32, 64] took 16–60 s a case there);
      // 'wider' is wider than this test's own default.
      ['wider filters', { filters: [6, 12] }],
      ['KL warm-up', { klWarmup: 0.5 }],
      ['free bits', { freeBits: 0.25 }],
    ];

    it.each(OPTIONS)('%s: steps keep tensor counts flat', async (_name, options) => {
      const vae = Vae.create(
        makeConfig({
          arch: 'conv',
          latentDim: 4,
          height: 28,
          filters: options.filters ?? [4, 8],
          decoderUpsample: options.decoderUpsample,
          residualBlocks: options.residualBlocks,
        }),
        4,
      );
      const optimizer = createAdam(1e-3);
      const step = createTrainStep(vae, optimizer, 1, { scaleMse: null }, options.freeBits ?? 0);
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const x = imagesToTensor(small.pixels, i * 8, 8, small);
        const numbers = await step(x, i, options.klWarmup ? 0.25 * i : 1);
        x.dispose();
        expect(Number.isFinite(numbers.loss)).toBe(true);
        counts.push(tf.memory().numTensors);
      }
      // The first step makes Adam's moments; from then on nothing accumulates.
      expect(new Set(counts.slice(1)).size).toBe(1);
      optimizer.dispose();
      vae.dispose();
    });

    it('a run records the options in its manifest, reports the ELBO, and the objective beside it', async () => {
      const dir = await tempDir();
      try {
        // Small filters: the cpu backend's convolutions are slow.
        const { vae, metrics } = await train(limitDataset(small, 32), {
          arch: 'conv',
          latentDim: 2,
          epochs: 1,
          batchSize: 16,
          beta: 1,
          filters: [8, 16],
          decoderUpsample: 'resize-conv',
          residualBlocks: 1,
          klWarmup: 1,
          freeBits: 0.01,
          outDir: `${dir.path}/m`,
        });
        vae.dispose();
        for (const m of metrics) {
          expect(m.train_loss).toBeCloseTo(m.recon + m.kl, 3);
          expect(m.train_objective).toBeDefined();
        }
        // The epoch is inside the warm-up: the objective weighs the KL less than the loss does (by more than
        // the 2 · 0.01 nats the floor can add).
        expect(metrics[0].train_objective).toBeLessThan(metrics[0].train_loss);
        const manifest = await readManifest(`${dir.path}/m`);
        expect(manifest.config).toMatchObject({ decoderUpsample: 'resize-conv', residualBlocks: 1 });
        expect(manifest.training).toMatchObject({ klWarmup: 1, freeBits: 0.01 });
        expect(manifest.metrics[0].train_objective).toBe(metrics[0].train_objective);
      } finally {
        await dir.cleanup();
      }
    });

    it('a resumed run continues exactly: the new layers are checkpointed and the warm-up goes on from where it was', async () => {
      const a = await tempDir();
      const b = await tempDir();
      try {
        const data = limitDataset(small, 32);
        const options = {
          arch: 'conv' as const,
          latentDim: 2,
          batchSize: 16,
          seed: 3,
          filters: [4, 8],
          decoderUpsample: 'resize-conv' as const,
          residualBlocks: 1,
          klWarmup: 1,
          freeBits: 0.01,
        };
        const straight = await train(data, { ...options, epochs: 2, outDir: `${a.path}/m` });
        // The kill: the run stops right after its first checkpoint, planned for 2 epochs (the warm-up spans them).
        const controller = new AbortController();
        const stopped = await train(data, {
          ...options,
          epochs: 2,
          outDir: `${b.path}/m`,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'checkpoint') controller.abort();
          },
        });
        expect(stopped.epochsCompleted).toBe(1);
        stopped.vae.dispose();
        const resumed = await train(data, { ...options, epochs: 2, outDir: `${b.path}/m`, resume: true });
        expect(resumed.metrics.map((m) => m.train_objective)).toEqual(straight.metrics.map((m) => m.train_objective));
        for (const [name, v] of straight.vae.params) expect(Array.from(resumed.vae.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
        straight.vae.dispose();
        resumed.vae.dispose();
      } finally {
        await a.cleanup();
        await b.cleanup();
      }
    }, 240_000); // three trainings: a minute on the cpu backend when the machine is loaded

    it('a run without them records none of them', async () => {
      const { vae, metrics } = await train(limitDataset(small, 16), { arch: 'conv', latentDim: 4, epochs: 1, batchSize: 16 });
      expect(vae.config).not.toHaveProperty('decoderUpsample');
      expect(metrics[0]).not.toHaveProperty('train_objective');
      vae.dispose();
    });

    it('refuses a warm-up outside [0, 1] and negative free bits', async () => {
      await expect(train(small, { arch: 'conv', latentDim: 4, epochs: 1, klWarmup: 1.5 })).rejects.toThrow(/KL warm-up is a fraction of the run from 0 to 1/);
      await expect(train(small, { arch: 'conv', latentDim: 4, epochs: 1, freeBits: -1 })).rejects.toThrow(/free bits must be from 0/);
    });
  });
});
