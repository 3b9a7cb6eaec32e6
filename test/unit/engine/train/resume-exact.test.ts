/**
 * A resumed training is bit-identical to an uninterrupted one, also after many steps: Adam's bias
 * corrections use β₁ᵗ and β₂ᵗ accumulated by repeated float32 multiplication, which tfjs's setWeights
 * recomputes as pow(β, t) — a different float32 after a few dozen steps. The checkpoint now keeps the
 * accumulators themselves. (The CLI run that showed it: --limit 6000, 47 steps an epoch, killed in
 * epoch 2 and resumed: a different weights hash.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { loadModel } from '../../../../src/engine/train/checkpoint';
import { train } from '../../../../src/engine/train/trainer';
import { tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'train/resume-exact',
  () => {
    let small: Dataset;
    beforeAll(async () => {
      small = limitDataset(await loadMnist(), 240);
    });

    describe('resume', () => {
      it.each([
        ['mlp, bernoulli', { arch: 'mlp' as const, latentDim: 2 }],
        ['mlp, gaussian with a learned scale', { arch: 'mlp' as const, latentDim: 2, likelihood: 'gaussian' as const, learnedScale: true }],
      ])('after 48 steps continues exactly like the uninterrupted run (%s)', async (_what, model) => {
        const a = await tempDir();
        const b = await tempDir();
        try {
          // 192 training images, batches of 4: 48 Adam steps an epoch.
          const opts = { ...model, batchSize: 4, seed: 11 };
          const straight = await train(small, { ...opts, epochs: 2, outDir: `${a.path}/m` });
          const first = await train(small, { ...opts, epochs: 1, outDir: `${b.path}/m` });
          first.vae.dispose();
          const resumed = await train(small, { ...opts, epochs: 2, outDir: `${b.path}/m`, resume: true });
          const [x, y] = await Promise.all([loadModel(`${a.path}/m`), loadModel(`${b.path}/m`)]);
          expect(y.manifest.weights.sha256).toBe(x.manifest.weights.sha256);
          expect(resumed.metrics.map((m) => m.train_loss)).toEqual(straight.metrics.map((m) => m.train_loss));
          tf.dispose([straight.vae, resumed.vae, x.vae, y.vae].flatMap((v) => [...v.params.values()]));
        } finally {
          await a.cleanup();
          await b.cleanup();
        }
      });

      it('with a decaying learning rate, a run killed after a checkpoint and resumed to the same epochs continues exactly', async () => {
        const a = await tempDir();
        const b = await tempDir();
        try {
          const opts = { arch: 'mlp' as const, latentDim: 2, batchSize: 4, seed: 5, lrSchedule: 'cosine' as const, epochs: 3 };
          const straight = await train(small, { ...opts, outDir: `${a.path}/m` });
          // The kill: the run stops right after its first checkpoint, planned for 3 epochs.
          const controller = new AbortController();
          const stopped = await train(small, {
            ...opts,
            outDir: `${b.path}/m`,
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'checkpoint') controller.abort();
            },
          });
          expect(stopped.epochsCompleted).toBe(1);
          stopped.vae.dispose();
          const resumed = await train(small, { ...opts, outDir: `${b.path}/m`, resume: true });
          const [x, y] = await Promise.all([loadModel(`${a.path}/m`), loadModel(`${b.path}/m`)]);
          expect(x.manifest.training?.lrSchedule).toBe('cosine');
          expect(x.manifest.stepState?.lrPlan).toEqual({ fromEpoch: 0, toEpoch: 3 });
          expect(y.manifest.weights.sha256).toBe(x.manifest.weights.sha256);
          expect(resumed.metrics.map((m) => m.train_loss)).toEqual(straight.metrics.map((m) => m.train_loss));
          // …and the decay changed the training: a constant rate gives other weights.
          const c = await tempDir();
          try {
            const constant = await train(small, { ...opts, lrSchedule: 'constant', outDir: `${c.path}/m` });
            const z = await loadModel(`${c.path}/m`);
            expect(z.manifest.weights.sha256).not.toBe(x.manifest.weights.sha256);
            expect(z.manifest.stepState?.lrPlan ?? null).toBeNull();
            tf.dispose([constant.vae, z.vae].flatMap((v) => [...v.params.values()]));
          } finally {
            await c.cleanup();
          }
          tf.dispose([straight.vae, resumed.vae, x.vae, y.vae].flatMap((v) => [...v.params.values()]));
        } finally {
          await a.cleanup();
          await b.cleanup();
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
