/**
 * The library's sample strip in the engine: a model folder loaded on the side decodes `count` images
 * from a fixed seed (the same strip every time, another with another seed), the open model is not
 * touched (its decode is the same before and after), and the engine holds no more tensors than before.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resolve, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers } from '../../../src/engine/handlers';
import { Vae, makeConfig } from '../../../src/engine/model/vae';
import { saveModel } from '../../../src/engine/train/checkpoint';
import { standardNormals } from '../../../src/engine/model-samples';
import { runEngineCall } from '../../../src/shared/engine-protocol';
import { MODEL_SAMPLES_SEED, type Images } from '../../../src/shared/contract';
import { tempDir } from '../helpers';
import { describeEngine } from '../../engine-suite';

describeEngine('model-samples', (backend) => {
  const DEFAULT_MODEL = resolve('resources/default-model');

  describe('modelSamples (engine)', () => {
    const handlers = engineHandlers(() => {});
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let colour: string;

    beforeAll(async () => {
      await handlers.init({ backend });
      dir = await tempDir('ls-samples-');
      // A second model of another shape (16×16 RGB, d = 3) than the open default model (28×28 grey).
      colour = join(dir.path, 'colour');
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3, height: 16, channels: 3, hidden: 32 }), 7);
      await saveModel(colour, vae, { epochsCompleted: 1 });
      vae.dispose();
      // The open model the strips must leave alone: the session keeps it across the tests.
      await handlers.loadModel({ dir: DEFAULT_MODEL });
    });
    afterAll(() => dir?.cleanup());

    const samples = (d: string, count: number, seed = MODEL_SAMPLES_SEED) =>
      runEngineCall(handlers, 'modelSamples', { dir: d, count, seed }) as Promise<Images>;

    it('decodes count images of the model’s shape, the same for the same seed, others for another', async () => {
      const a = await samples(colour, 8);
      expect(a).toMatchObject({ count: 8, height: 16, width: 16, channels: 3 });
      expect(a.pixels).toBeInstanceOf(Uint8Array);
      expect(a.pixels.length).toBe(8 * 16 * 16 * 3);
      const again = await samples(colour, 8);
      expect(Buffer.from(again.pixels).equals(Buffer.from(a.pixels))).toBe(true);
      const other = await samples(colour, 8, MODEL_SAMPLES_SEED + 1);
      expect(Buffer.from(other.pixels).equals(Buffer.from(a.pixels))).toBe(false);
      // The images differ from each other (8 draws of z, not one).
      const size = 16 * 16 * 3;
      expect(Buffer.from(a.pixels.subarray(0, size)).equals(Buffer.from(a.pixels.subarray(size, 2 * size)))).toBe(false);
    });

    it('leaves the open model as it is and the tensor count flat', async () => {
      const z = standardNormals(2 * 3, 1); // the default model: d = 3
      const before = (await runEngineCall(handlers, 'decode', { z })) as Images;
      await samples(colour, 4); // warm-up: kernels and backend buffers allocated once
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        await samples(colour, 16);
        await samples(DEFAULT_MODEL, 8);
      }
      expect(tf.memory().numTensors).toBe(tensors);
      const after = (await runEngineCall(handlers, 'decode', { z })) as Images;
      expect(after).toMatchObject({ count: 2, height: 28, channels: 1 });
      expect(Buffer.from(after.pixels).equals(Buffer.from(before.pixels))).toBe(true);
    });

    it('refuses more than 16 images and a folder that is not a model', async () => {
      await expect(samples(colour, 17)).rejects.toMatchObject({ code: 'bad-arguments' });
      await expect(samples(colour, 0)).rejects.toMatchObject({ code: 'bad-arguments' });
      await expect(samples(dir.path, 8)).rejects.toThrow(/manifest/);
      const tensors = tf.memory().numTensors;
      await expect(samples(dir.path, 8)).rejects.toThrow();
      expect(tf.memory().numTensors).toBe(tensors);
    });

    it('standard normals have mean ≈ 0 and variance ≈ 1', () => {
      const z = standardNormals(20_001, 3);
      const mean = z.reduce((s, v) => s + v, 0) / z.length;
      const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(Math.abs(variance - 1)).toBeLessThan(0.05);
      expect(z.every(Number.isFinite)).toBe(true);
    });
  });
});
