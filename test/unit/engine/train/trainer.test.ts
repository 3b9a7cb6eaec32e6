import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { loadModel } from '../../../../src/engine/train/checkpoint';
import { train } from '../../../../src/engine/train/trainer';
import { tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'train/trainer',
  (backend) => {
    let small: Dataset;
    beforeAll(async () => {
      small = limitDataset(await loadMnist(), 512);
    });

    describe('trainer', () => {
      it('keeps tensor counts flat across epochs and leaves nothing behind', async () => {
        const before = tf.memory().numTensors;
        const counts: number[] = [];
        const { vae, metrics } = await train(small, {
          arch: 'mlp',
          latentDim: 4,
          epochs: 4,
          batchSize: 64,
          binarize: true,
          onEvent: (e) => {
            if (e.type === 'epoch') counts.push(tf.memory().numTensors);
          },
        });
        expect(metrics).toHaveLength(4);
        expect(new Set(counts).size).toBe(1);
        vae.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });

      it('conv training also keeps tensor counts flat', async () => {
        const counts: number[] = [];
        const { vae } = await train(limitDataset(small, 32), {
          arch: 'conv',
          latentDim: 4,
          epochs: 3,
          batchSize: 16,
          onEvent: (e) => {
            if (e.type === 'epoch') counts.push(tf.memory().numTensors);
          },
        });
        expect(new Set(counts).size).toBe(1);
        vae.dispose();
      });

      it('learns: the loss falls, and reports train/test loss with their recon and KL terms', async () => {
        const { vae, metrics } = await train(small, { arch: 'mlp', latentDim: 8, epochs: 3, batchSize: 32, seed: 2 });
        for (const m of metrics) {
          expect(m.train_loss).toBeCloseTo(m.recon + m.kl, 3);
          expect(m.test_loss).toBeCloseTo(m.test_recon + m.test_kl, 3);
          expect(m.samples_per_s).toBeGreaterThan(0);
          expect(m.backend).toBe(backend);
        }
        expect(metrics[2].train_loss).toBeLessThan(metrics[0].train_loss);
        expect(metrics[2].test_loss).toBeLessThan(metrics[0].test_loss);
        vae.dispose();
      });

      it('is deterministic for a seed, and resuming from a checkpoint continues exactly', async () => {
        const a = await tempDir();
        const b = await tempDir();
        try {
          const opts = { arch: 'mlp' as const, latentDim: 3, batchSize: 64, seed: 5 };
          const straight = await train(small, { ...opts, epochs: 2, outDir: `${a.path}/m` });
          const first = await train(small, { ...opts, epochs: 1, outDir: `${b.path}/m` });
          first.vae.dispose();
          const resumed = await train(small, { ...opts, epochs: 2, outDir: `${b.path}/m`, resume: true });
          expect(resumed.metrics.map((m) => m.train_loss)).toEqual(straight.metrics.map((m) => m.train_loss));
          expect(resumed.metrics.map((m) => m.test_loss)).toEqual(straight.metrics.map((m) => m.test_loss));
          for (const [name, v] of straight.vae.params) {
            expect(Array.from(resumed.vae.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
          }
          const saved = await loadModel(`${b.path}/m`);
          expect(saved.manifest.epochsCompleted).toBe(2);
          expect(saved.manifest.metrics).toHaveLength(2);
          expect(saved.manifest.dataset?.fingerprint).toBe(small.fingerprint);
          saved.vae.dispose();
          straight.vae.dispose();
          resumed.vae.dispose();
        } finally {
          await a.cleanup();
          await b.cleanup();
        }
      });

      it('cancels between steps and keeps the last checkpoint', async () => {
        const dir = await tempDir();
        try {
          const controller = new AbortController();
          let steps = 0;
          const result = await train(small, {
            arch: 'mlp',
            latentDim: 2,
            epochs: 5,
            batchSize: 16,
            outDir: `${dir.path}/m`,
            signal: controller.signal,
            progressIntervalMs: 0,
            onEvent: (e) => {
              if (e.type === 'step' && e.epoch === 2 && ++steps === 3) controller.abort();
            },
          });
          expect(result.cancelled).toBe(true);
          expect(result.epochsCompleted).toBe(1);
          const saved = await loadModel(`${dir.path}/m`);
          expect(saved.manifest.epochsCompleted).toBe(1);
          saved.vae.dispose();
          result.vae.dispose();
        } finally {
          await dir.cleanup();
        }
      });

      it('refuses a dataset whose image size does not fit the model', async () => {
        const dir = await tempDir();
        try {
          const first = await train(small, { arch: 'mlp', latentDim: 2, epochs: 1, outDir: `${dir.path}/m` });
          first.vae.dispose();
          const other: Dataset = { ...small, height: 14, width: 56, fingerprint: small.fingerprint };
          await expect(train(other, { arch: 'mlp', latentDim: 2, epochs: 2, outDir: `${dir.path}/m`, resume: true })).rejects.toThrow(/expects 28×28×1 images/);
        } finally {
          await dir.cleanup();
        }
      });
    });
  },
  {
    only: {
      backends: ['wasm', 'tensorflow'],
      why: 'long trainings: run on the backends the app trains on (cpu, the last fallback, is checked against by every smoke check)',
    },
  },
);
