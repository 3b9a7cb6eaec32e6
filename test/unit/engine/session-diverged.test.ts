/** The engine session when a run's loss explodes: it answers 'diverged', opens nothing and keeps the open model. */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineSession } from '../../../src/engine/session';
import { loadMnist } from '../../../src/engine/data/mnist';
import { limitDataset } from '../../../src/engine/data/dataset';
import { train } from '../../../src/engine/train/trainer';
import type { EngineEvent } from '../../../src/shared/engine-protocol';
import { tempDir, useTestBackend } from '../helpers';

let root: { path: string; cleanup: () => Promise<void> };
let previous: string;

beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-session-diverged-');
  previous = join(root.path, 'previous');
  const good = await train(limitDataset(await loadMnist(), 200), { arch: 'mlp', latentDim: 2, epochs: 1, batchSize: 50, outDir: previous });
  good.vae.dispose();
});
afterAll(() => root?.cleanup());

describe('EngineSession.train, diverged', () => {
  it('answers diverged with the reason and no model, keeps the open one, and leaves no tensor behind', async () => {
    const events: EngineEvent[] = [];
    const session = new EngineSession((e) => events.push(e));
    await session.openDataset({ kind: 'mnist' });
    const open = await session.loadModel({ dir: previous });
    const tensors = tf.memory().numTensors;

    // At lr 0.1 (seed 1) epochs 1 and 2 pass the rule and are saved in the run's folder; epoch 3 explodes.
    const result = await session.train({
      dir: join(root.path, 'run'),
      resume: false,
      arch: 'mlp',
      latentDim: 2,
      epochs: 5,
      batchSize: 50,
      lr: 0.1,
      beta: 1,
      likelihood: 'bernoulli',
      binarize: false,
      seed: 1,
      limit: 200,
    });

    expect(result).toMatchObject({ cancelled: false, model: null, diverged: { epoch: 3 }, epochsCompleted: 2 });
    expect(result.diverged?.message).toMatch(/^The loss exploded at epoch 3 .* Try a lower learning rate\.$/);
    expect(session.requireModel().info).toEqual(open);
    expect(events.filter((e) => e.type === 'quality')).toEqual([]);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
