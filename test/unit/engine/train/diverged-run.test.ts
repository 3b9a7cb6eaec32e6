/** A training whose loss explodes stops as diverged, saves nothing of the diverged epoch and leaves the model it continued untouched. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { train } from '../../../../src/engine/train/trainer';
import { tempDir, useTestBackend } from '../../helpers';

let dir: { path: string; cleanup: () => Promise<void> };
let small: Dataset;
beforeAll(async () => {
  await useTestBackend();
  dir = await tempDir();
  small = limitDataset(await loadMnist(), 200);
});
afterAll(() => dir.cleanup());

/** Every file of a model folder, by name. */
async function folderBytes(path: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(path)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(path, n))] as const)));
}

describe('a training that diverges', () => {
  it.each([
    // Continued at rates far too high for it: at 0.05 the loss stays finite but explodes (the epoch's
    // mean gives it away); at 10 it stops being a number within a few steps.
    [0.05, /^The loss exploded at epoch 3 \(\d{3} → [\d,]+\)\. Try a lower learning rate\.$/],
    [10, /^The loss stopped being a number \((NaN|-?Infinity)\) at epoch 3, step \d+\. Try a lower learning rate\.$/],
  ])('at lr %s: ends diverged with the reason, leaves the model it continued byte for byte and no tensor behind', async (lr, message) => {
    const model = join(dir.path, `good-${lr}`);
    const good = await train(small, { arch: 'mlp', latentDim: 2, epochs: 2, batchSize: 50, outDir: model });
    good.vae.dispose();
    expect(good.diverged).toBeNull();
    const before = await folderBytes(model);
    const tensors = tf.memory().numTensors;
    const epochs: number[] = [];

    const result = await train(small, {
      arch: 'mlp',
      latentDim: 2,
      epochs: 6,
      batchSize: 50,
      lr,
      outDir: model,
      resume: true,
      onEvent: (e) => {
        if (e.type === 'epoch' || e.type === 'checkpoint') epochs.push(e.epoch);
      },
    });
    result.vae.dispose();

    expect(result.diverged?.epoch).toBe(3);
    expect(result.diverged?.message).toMatch(message);
    expect(result.epochsCompleted).toBe(2);
    expect(epochs).toEqual([]);
    expect(result.latentDensity).toBeNull();
    expect(await folderBytes(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a healthy run of the same size does not diverge', async () => {
    const result = await train(small, { arch: 'mlp', latentDim: 2, epochs: 4, batchSize: 50, seed: 3 });
    result.vae.dispose();
    expect(result.diverged).toBeNull();
    expect(result.metrics).toHaveLength(4);
  });
});
