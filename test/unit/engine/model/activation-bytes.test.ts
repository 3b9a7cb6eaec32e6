/**
 * Activation bytes per image, counted from a config's shapes (hand counts below), the cap that refuses
 * a model whose one-image decode exceeds MAX_DECODE_IMAGE_BYTES, and the byte-sized decode and encode
 * batches: split under an injected budget, the same images as one unbatched decode, no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeActivationBytes, encodeActivationBytes, imagesPerBatch } from '../../../../src/engine/model/activation-bytes';
import { decodeBatchSize, decodeInBatches, sampleInBatches } from '../../../../src/engine/model/decode-batches';
import { Vae, makeConfig, validateConfig, type VaeConfig } from '../../../../src/engine/model/vae';
import { MAX_DECODE_IMAGE_BYTES } from '../../../../src/shared/limits';
import { useTestBackend } from '../../helpers';

beforeAll(async () => {
  await useTestBackend();
});

const conv32: VaeConfig = {
  arch: 'conv',
  latentDim: 2,
  height: 32,
  width: 32,
  channels: 3,
  likelihood: 'bernoulli',
  learnedScale: false,
  hidden: 400,
  filters: [4, 8],
};
const mnistMlp: VaeConfig = {
  arch: 'mlp',
  latentDim: 2,
  height: 28,
  width: 28,
  channels: 1,
  likelihood: 'bernoulli',
  learnedScale: false,
  hidden: 400,
  filters: [],
};
/** The issue's model: every parameter cap met (14.4 M parameters), 8 samples took 8.6 GB. */
const issueModel: VaeConfig = { ...conv32, latentDim: 64, height: 512, width: 512, filters: [1024, 512, 512, 8, 8, 8] };

describe('activation bytes per image, by hand', () => {
  it('conv decode: z, dense ×3, each transposed conv its columns plus ×3 (the last ×2), four image copies', () => {
    // z 2; dense 3·8·8·8 = 1536; up1 (8² → 16², 4 ch) 64·9·4 + 3·256·4 = 2304 + 3072;
    // up0 (16² → 32², 3 ch) 256·9·3 + 2·1024·3 = 6912 + 6144; image copies 4·3072 = 12288.
    expect(decodeActivationBytes(conv32)).toBe(4 * (2 + 1536 + 2304 + 3072 + 6912 + 6144 + 12288));
  });

  it('conv encode: the input twice, each conv ×3, the two heads ×2', () => {
    // input 2·3072; conv0 3·16²·4 = 3072; conv1 3·8²·8 = 1536; heads 2·2·2 = 8.
    expect(encodeActivationBytes(conv32)).toBe(4 * (6144 + 3072 + 1536 + 8));
  });

  it('conv with the decoder options: residual blocks ×6 per level, nearest ×2 then a conv (its input, patches, ×3/×2)', () => {
    const options: VaeConfig = { ...conv32, decoderUpsample: 'resize-conv', residualBlocks: 1 };
    // z 2; dense 1536; block1 (8², 8 ch) 6·512 = 3072; upconv1: upsampled 16²·8 = 2048, patches 9·2048 = 18432,
    // 3·16²·4 = 3072; block0 (16², 4 ch) 6·1024 = 6144; upconv0: 32²·4 = 4096, 9·4096 = 36864, 2·1024·3 = 6144;
    // image copies 12288.
    expect(decodeActivationBytes(options)).toBe(4 * (2 + 1536 + 3072 + 2048 + 18432 + 3072 + 6144 + 4096 + 36864 + 6144 + 12288));
    // input 6144; conv0 3072 then its block 6·16²·4 = 6144; conv1 1536 then its block 6·8²·8 = 3072; heads 8.
    expect(encodeActivationBytes(options)).toBe(4 * (6144 + 3072 + 6144 + 1536 + 3072 + 8));
  });

  it('mlp decode and encode', () => {
    // decode: z 2, hidden 3·400, out 2·784, image copies 4·784; encode: input 2·784, hidden 3·400, heads 8.
    expect(decodeActivationBytes(mnistMlp)).toBe(4 * (2 + 1200 + 1568 + 3136));
    expect(encodeActivationBytes(mnistMlp)).toBe(4 * (1568 + 1200 + 8));
  });

  it('batch sizes divide the budget, at least one image', () => {
    expect(imagesPerBatch(100, 1000)).toBe(10);
    expect(imagesPerBatch(100, 1099)).toBe(10);
    expect(imagesPerBatch(5000, 1000)).toBe(1);
  });
});

describe('the activation cap', () => {
  it('refuses a model whose one-image decode is over MAX_DECODE_IMAGE_BYTES, with the figure and what to change', () => {
    expect(decodeActivationBytes(issueModel)).toBeGreaterThan(MAX_DECODE_IMAGE_BYTES);
    expect(() => validateConfig(issueModel)).toThrow(/decoding one image would take 1\.\d GB of activations; at most 128 MB: use fewer filters/);
  });

  it('accepts the same image size with smaller high-resolution layers', () => {
    const modest = { ...issueModel, filters: [16, 32, 64, 128, 256, 512] };
    expect(decodeActivationBytes(modest)).toBeLessThanOrEqual(MAX_DECODE_IMAGE_BYTES);
    expect(() => validateConfig(modest)).not.toThrow();
  });
});

describe('decodes in batches under a budget', () => {
  const config = makeConfig({ arch: 'conv', latentDim: 3, height: 16, channels: 3, filters: [4, 8] });

  it('splits n = 10 into batches of 3 when the budget holds three images, with the same images as one decode', async () => {
    const vae = Vae.create(config, 5);
    const z = Float32Array.from({ length: 10 * 3 }, (_, i) => Math.sin(i * 1.7));
    const unbatched = tf.tidy(() => tf.mul(vae.decodeMode(tf.tensor2d(z, [10, 3])), 255).dataSync());
    const spy = vi.spyOn(vae, 'decodeMode');
    const before = tf.memory().numTensors;
    const budget = 3 * decodeActivationBytes(config) + 1;
    expect(decodeBatchSize(config, budget)).toBe(3);
    const pixels = await decodeInBatches(vae, z, 10, budget);
    expect(tf.memory().numTensors).toBe(before);
    expect(spy.mock.calls.map(([t]) => t.shape[0])).toEqual([3, 3, 3, 1]);
    expect(Array.from(pixels)).toEqual(Array.from(unbatched, (v) => Math.round(v)));
    spy.mockRestore();
    vae.dispose();
  });

  it('Vae.decodeToPixels (every decode of the engine) batches too; the default budget decodes a small model at once', async () => {
    const vae = Vae.create(config, 5);
    const spy = vi.spyOn(vae, 'decodeMode');
    await vae.decodeToPixels(new Float32Array(5 * 3), 5, 2 * decodeActivationBytes(config));
    expect(spy.mock.calls.map(([t]) => t.shape[0])).toEqual([2, 2, 1]);
    spy.mockClear();
    await vae.decodeToPixels(new Float32Array(64 * 3), 64);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    vae.dispose();
  });

  it('sampleInBatches decodes the z Vae.sample draws, batch by batch', async () => {
    const vae = Vae.create(config, 6);
    const whole = tf.tidy(() => tf.mul(vae.sample(7, 42), 255).dataSync());
    const spy = vi.spyOn(vae, 'decodeMode');
    const before = tf.memory().numTensors;
    const pixels = await sampleInBatches(vae, 7, 42, 2 * decodeActivationBytes(config));
    expect(tf.memory().numTensors).toBe(before);
    expect(spy.mock.calls.map(([t]) => t.shape[0])).toEqual([2, 2, 2, 1]);
    expect(Array.from(pixels)).toEqual(Array.from(whole, (v) => Math.round(v)));
    spy.mockRestore();
    vae.dispose();
  });

  it('embed encodes in batches under the budget too, with the same μ', async () => {
    const vae = Vae.create(config, 7);
    const pixels = Uint8Array.from({ length: 9 * 16 * 16 * 3 }, (_, i) => (i * 37) % 256);
    const whole = await vae.embed(pixels, 9);
    const spy = vi.spyOn(vae, 'encode');
    const before = tf.memory().numTensors;
    const mu = await vae.embed(pixels, 9, 1000, 4 * encodeActivationBytes(config));
    expect(tf.memory().numTensors).toBe(before);
    expect(spy.mock.calls.map(([t]) => t.shape[0])).toEqual([4, 4, 1]);
    expect(Array.from(mu)).toEqual(Array.from(whole));
    spy.mockRestore();
    vae.dispose();
  });
});
