/**
 * The conv VAE's options (model/conv-arch.ts): parameter names, shapes and counts; resize-conv and the
 * residual block against the same functions written with tfjs's own ops (whose gradients tfjs derives)
 * and against finite differences; a model without the options computes exactly what it did before them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { convLayers, resizeConv, runConvLayers, upsampleNearest2x, type ConvLayer } from '../../../../src/engine/model/conv-arch';
import { Vae, makeConfig, parameterShapes, type VaeConfig } from '../../../../src/engine/model/vae';
import { loadModel, saveModel } from '../../../../src/engine/train/checkpoint';
import { normalStream, quietly, relError, tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

function random(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  const next = normalStream(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => scale * next()),
    shape,
  );
}

/** sum(f(inputs) ⊙ r) and its gradients for every input, as arrays (r fixed, so every output's gradient counts). */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const out = f(...inputs);
    const r = random(out.shape, seed, 1);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)) as tf.Scalar)(inputs);
    return [out.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array)];
  });
}

function expectSame(got: Float32Array[], want: Float32Array[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(got[i].length, `part ${i}`).toBe(w.length);
    expect(relError(got[i], w), i === 0 ? 'value' : `gradient of input ${i - 1}`).toBeLessThanOrEqual(1e-4);
  });
}

/** The central difference of sum(f(inputs) ⊙ r) along input `which`, element `at`. */
function finiteDifference(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number, which: number, at: number, h = 1e-2): number {
  return tf.tidy(() => {
    const r = random(f(...inputs).shape, seed, 1);
    const shifted = (delta: number): number => {
      const values = inputs[which].dataSync().slice();
      values[at] += delta;
      const xs = inputs.map((t, i) => (i === which ? tf.tensor(values, t.shape) : t));
      return tf.sum(tf.mul(f(...xs), r)).dataSync()[0];
    };
    return (shifted(h) - shifted(-h)) / (2 * h);
  });
}

/**
 * Runs a reference on the cpu backend when the suite runs on wasm: wasm lacks the kernels of tfjs's
 * own convolution gradients (which is why ops.ts has custom ones); elsewhere on the suite's backend.
 */
async function reference<T>(fn: () => T): Promise<T> {
  if (tf.getBackend() !== 'wasm') return fn();
  try {
    return await quietly(async () => {
      await tf.setBackend('cpu');
      return fn();
    });
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Nearest ×2 with tfjs's stack (its gradient is unstack, right on every backend): each column, then each row, twice. */
function stackedUpsample(x: tf.Tensor): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const wide = tf.reshape(tf.stack([x, x], 3), [b, h, 2 * w, c]);
  return tf.reshape(tf.stack([wide, wide], 2), [b, 2 * h, 2 * w, c]);
}

const RELU_CONV = (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor, stride: number): tf.Tensor =>
  tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, 'same'), b));

describeEngine('model/conv-arch', () => {
  describe('parameters', () => {
    it('a config without the options has exactly the parameters models had before them, in their order', () => {
      const config = makeConfig({ arch: 'conv', latentDim: 8, height: 32, channels: 3 });
      expect(config).not.toHaveProperty('decoderUpsample');
      expect(config).not.toHaveProperty('residualBlocks');
      expect(parameterShapes(config)).toEqual([
        { name: 'encoder/conv0/kernel', shape: [3, 3, 3, 32] },
        { name: 'encoder/conv0/bias', shape: [32] },
        { name: 'encoder/conv1/kernel', shape: [3, 3, 32, 64] },
        { name: 'encoder/conv1/bias', shape: [64] },
        { name: 'encoder/mean/kernel', shape: [4096, 8] },
        { name: 'encoder/mean/bias', shape: [8] },
        { name: 'encoder/logvar/kernel', shape: [4096, 8] },
        { name: 'encoder/logvar/bias', shape: [8] },
        { name: 'decoder/dense/kernel', shape: [8, 4096] },
        { name: 'decoder/dense/bias', shape: [4096] },
        { name: 'decoder/up1/kernel', shape: [3, 3, 32, 64] },
        { name: 'decoder/up1/bias', shape: [32] },
        { name: 'decoder/up0/kernel', shape: [3, 3, 3, 32] },
        { name: 'decoder/up0/bias', shape: [3] },
      ]);
    });

    it('resize-conv and residual blocks: parameter count by hand, and the images keep their shape', () => {
      const config = makeConfig({ arch: 'conv', latentDim: 8, height: 32, channels: 3, filters: [16, 24], decoderUpsample: 'resize-conv', residualBlocks: 2 });
      const conv = (inC: number, outC: number): number => 9 * inC * outC + outC;
      const block = (c: number): number => 2 * conv(c, c);
      const flat = 8 * 8 * 24;
      const want =
        conv(3, 16) +
        2 * block(16) +
        conv(16, 24) +
        2 * block(24) +
        2 * (flat * 8 + 8) +
        (8 * flat + flat) +
        2 * block(24) +
        conv(24, 16) +
        2 * block(16) +
        conv(16, 3);
      const shapes = parameterShapes(config);
      expect(shapes.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).toBe(want);
      expect(shapes.find((p) => p.name === 'decoder/upconv0/kernel')?.shape).toEqual([3, 3, 16, 3]);
      expect(shapes.some((p) => p.name.startsWith('decoder/up0'))).toBe(false);
      const vae = Vae.create(config, 2);
      tf.tidy(() => {
        const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        expect(vae.encode(x).mean.shape).toEqual([2, 8]);
        expect(vae.forward(x, 3).recon.shape).toEqual([2, 32, 32, 3]);
      });
      vae.dispose();
    });

    it('the layer list says each layer’s sizes (what per-layer counts read)', () => {
      const { encoder, decoder } = convLayers({ height: 32, channels: 3, filters: [32, 64], residualBlocks: 1, decoderUpsample: 'resize-conv' });
      const summary = (layers: ConvLayer[]) => layers.map((l) => `${l.kind} ${l.inSize}x${l.inChannels}>${l.outSize}x${l.outChannels}`);
      expect(summary(encoder)).toEqual(['down 32x3>16x32', 'residual 16x32>16x32', 'down 16x32>8x64', 'residual 8x64>8x64']);
      expect(summary(decoder)).toEqual(['residual 8x64>8x64', 'resize-conv 8x64>16x32', 'residual 16x32>16x32', 'resize-conv 16x32>32x3']);
    });

    it('refuses bad options with a message naming them', () => {
      expect(() => makeConfig({ arch: 'conv', latentDim: 4, height: 32, residualBlocks: 5 })).toThrow(/residual blocks must be an integer from 0 to 4/);
      expect(() => makeConfig({ arch: 'conv', latentDim: 4, height: 32, residualBlocks: 1.5 })).toThrow(/residual blocks/);
      expect(() => makeConfig({ arch: 'conv', latentDim: 4, height: 32, decoderUpsample: 'bilinear' as never })).toThrow(
        /unknown decoder upsampling "bilinear"/,
      );
      expect(() => makeConfig({ arch: 'mlp', latentDim: 4, residualBlocks: 1 })).toThrow(/conv options/);
    });
  });

  describe('resize-conv', () => {
    const inputs = (): tf.Tensor[] => [random([2, 5, 4, 3], 1), random([3, 3, 3, 4], 2), random([4], 3)];

    it('is nearest ×2: every pixel repeated over a 2×2 block', () =>
      tf.tidy(() => {
        // A 1×1 identity kernel through the centre tap shows the upsampled image itself.
        const x = random([1, 2, 3, 2], 4);
        const identity: tf.Tensor4D = tf.pad(tf.reshape(tf.eye(2), [1, 1, 2, 2]), [
          [1, 1],
          [1, 1],
          [0, 0],
          [0, 0],
        ]);
        const up = resizeConv(x as tf.Tensor4D, identity, tf.zeros([2]) as tf.Tensor1D).arraySync()[0];
        const src = (x as tf.Tensor4D).arraySync()[0];
        for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(up[i][j]).toEqual(src[i >> 1][j >> 1]);
      }));

    it('nearest ×2’s gradient is the sum over each 2×2 block (the cpu backend’s own resize gradient is wrong)', () =>
      tf.tidy(() => {
        const x = random([2, 3, 2, 3], 5);
        const dy = random([2, 6, 4, 3], 6);
        const grad = tf
          .grad((xi: tf.Tensor) => tf.sum(tf.mul(upsampleNearest2x(xi as tf.Tensor4D), dy)))(x)
          .arraySync() as number[][][][];
        const d = dy.arraySync() as number[][][][];
        for (let b = 0; b < 2; b++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 2; j++)
              for (let c = 0; c < 3; c++) {
                const want = d[b][2 * i][2 * j][c] + d[b][2 * i][2 * j + 1][c] + d[b][2 * i + 1][2 * j][c] + d[b][2 * i + 1][2 * j + 1][c];
                expect(grad[b][i][j][c]).toBeCloseTo(want, 5);
              }
      }));

    it.each(['linear', 'relu'] as const)('%s: value and gradients match nearest ×2 by tf.stack, then tf.conv2d', async (activation) => {
      const xs = inputs();
      const got = valueAndGrads((x, f, b) => resizeConv(x as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, activation), xs, 7);
      const want = await reference(() =>
        valueAndGrads(
          (x, f, b) => {
            const y = tf.add(tf.conv2d(stackedUpsample(x), f as tf.Tensor4D, 1, 'same'), b);
            return activation === 'relu' ? tf.relu(y) : y;
          },
          xs,
          7,
        ),
      );
      expectSame(got, want);
      tf.dispose(xs);
    });

    it('its input gradient matches finite differences', () => {
      const xs = inputs();
      const f = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => resizeConv(x as tf.Tensor4D, k as tf.Tensor4D, b as tf.Tensor1D);
      const grad = valueAndGrads(f, xs, 8)[1];
      for (let at = 0; at < grad.length; at++) expect(grad[at], `element ${at}`).toBeCloseTo(finiteDifference(f, xs, 8, 0, at), 2);
      tf.dispose(xs);
    });
  });

  describe('residual block', () => {
    const layer: ConvLayer = { kind: 'residual', name: 'b', inSize: 6, outSize: 6, inChannels: 3, outChannels: 3, relu: false };
    const inputs = (): tf.Tensor[] => [random([2, 6, 6, 3], 11), random([3, 3, 3, 3], 12), random([3], 13), random([3, 3, 3, 3], 14), random([3], 15)];
    const block = (x: tf.Tensor, ka: tf.Tensor, ba: tf.Tensor, kb: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
      const weights: Record<string, tf.Tensor> = { 'b/conv_a/kernel': ka, 'b/conv_a/bias': ba, 'b/conv_b/kernel': kb, 'b/conv_b/bias': bb };
      return runConvLayers([layer], x as tf.Tensor4D, (name) => weights[name]);
    };

    it('is x + conv_b(ReLU(conv_a(x))): value and gradients match tfjs’s ops', async () => {
      const xs = inputs();
      const want = await reference(() =>
        valueAndGrads((x, ka, ba, kb, bb) => tf.add(x, tf.add(tf.conv2d(RELU_CONV(x, ka, ba, 1) as tf.Tensor4D, kb as tf.Tensor4D, 1, 'same'), bb)), xs, 16),
      );
      expectSame(valueAndGrads(block, xs, 16), want);
      tf.dispose(xs);
    });

    it('its input gradient matches finite differences', () => {
      const xs = inputs();
      const grad = valueAndGrads(block, xs, 17)[1];
      for (const at of [0, 50, 200]) expect(grad[at]).toBeCloseTo(finiteDifference(block, xs, 17, 0, at), 2);
      tf.dispose(xs);
    });

    it('starts as the identity (conv_b at zero), so a fresh deeper decoder computes what its blocks are skipped over', () => {
      const config = makeConfig({ arch: 'conv', latentDim: 4, height: 28, residualBlocks: 1 });
      const vae = Vae.create(config, 3);
      expect(tf.tidy(() => tf.sum(tf.abs(vae.params.get('decoder/block1_0/conv_b/kernel')!)).dataSync()[0])).toBe(0);
      vae.dispose();
    });
  });

  describe('models from before the options', () => {
    it('save without the new keys, load, and decode as the transposed-convolution decoder did', async () => {
      const dir = await tempDir();
      try {
        const config: VaeConfig = makeConfig({ arch: 'conv', latentDim: 5, height: 28, channels: 1, likelihood: 'gaussian', learnedScale: true });
        const original = Vae.create(config, 9);
        const manifest = await saveModel(`${dir.path}/m`, original);
        expect(Object.keys(manifest.config).sort()).toEqual([
          'arch',
          'channels',
          'filters',
          'height',
          'hidden',
          'latentDim',
          'learnedScale',
          'likelihood',
          'width',
        ]);
        const { vae } = await loadModel(`${dir.path}/m`);
        const [loaded, saved, byHand] = tf.tidy(() => {
          const z = random([3, 5], 21, 1) as tf.Tensor2D;
          const p = (name: string) => vae.params.get(name)!;
          // The decoder as it was written before conv-arch.ts: dense + ReLU, then transposed stride-2 convolutions.
          const h0 = tf.relu(tf.add(tf.matMul(z, p('decoder/dense/kernel') as tf.Tensor2D), p('decoder/dense/bias')));
          let h = tf.reshape(h0, [3, 7, 7, 64]) as tf.Tensor4D;
          h = tf.relu(tf.add(tf.conv2dTranspose(h, p('decoder/up1/kernel') as tf.Tensor4D, [3, 14, 14, 32], 2, 'same'), p('decoder/up1/bias'))) as tf.Tensor4D;
          h = tf.add(tf.conv2dTranspose(h, p('decoder/up0/kernel') as tf.Tensor4D, [3, 28, 28, 1], 2, 'same'), p('decoder/up0/bias')) as tf.Tensor4D;
          return [vae.decode(z).mode(), original.decode(z).mode(), h].map((t) => t.dataSync() as Float32Array);
        });
        expect(Array.from(loaded)).toEqual(Array.from(saved));
        expect(relError(loaded, byHand)).toBeLessThanOrEqual(1e-5);
        vae.dispose();
        original.dispose();
      } finally {
        await dir.cleanup();
      }
    });
  });
});
