import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RELU_GRAD, columnSum, columnSumInto, hasNativeReluGrad, reluGrad, reluGradInto } from '../../../../src/engine/kernels/bias-grad';
import { heapKernels } from '../../../../src/engine/kernels/heap';
import { normalStream, onCpu, takeData } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/bias-grad',
  () => {
    function randomArray(n: number, seed: number): Float32Array {
      const next = normalStream(seed);
      return Float32Array.from({ length: n }, () => next());
    }

    // Shapes of the conv VAE's layers, plus odd widths that leave a tail after the 4-wide SIMD loop.
    const SHAPES: number[][] = [
      [64, 16, 16, 32],
      [64, 32, 32, 3],
      [64, 4096],
      [7, 5],
      [3, 1],
    ];

    describe('ReluGrad and ColumnSum kernels', () => {
      it('run in kernels.wat on the tfjs heap (not the JavaScript fallback)', () =>
        tf.tidy(() => {
          expect(tf.getBackend()).toBe('wasm');
          expect(heapKernels(tf.backend())).not.toBeNull();
        }));

      it.each(SHAPES)('ReluGrad equals dy·step(y), bit for bit, on wasm and cpu (%j…)', async (...shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const dy = randomArray(n, 1);
        const y = randomArray(n, 2);
        y[0] = 0; // the boundary: relu'(0) = 0, as tfjs's Step gives
        const want = new Float32Array(n);
        reluGradInto(dy, y, want);
        for (let i = 0; i < n; i++) expect(want[i]).toBe(y[i] > 0 ? dy[i] : 0);
        const run = (): Float32Array => takeData(tf.tidy(() => reluGrad(tf.tensor(dy, shape), tf.tensor(y, shape))));
        const tfjs = (): Float32Array => takeData(tf.tidy(() => tf.mul(tf.tensor(dy, shape), tf.step(tf.tensor(y, shape)))));
        const onWasm = run();
        expect(Array.from(onWasm)).toEqual(Array.from(want));
        // tfjs's own form gives -0 where dy < 0 is masked; as numbers they are equal.
        expect(Array.from(tfjs()).map((v) => v + 0)).toEqual(Array.from(want));
        expect(Array.from(await onCpu(run))).toEqual(Array.from(want));
      });

      it.each(SHAPES)('ColumnSum equals tf.sum over every axis but the last (%j…)', async (...shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const cols = shape[shape.length - 1];
        const x = randomArray(n, 3);
        const want = new Float32Array(cols);
        columnSumInto(x, want, n / cols, cols);
        const axes = shape.slice(0, -1).map((_, i) => i);
        const reference = takeData(tf.tidy(() => tf.sum(tf.tensor(x, shape), axes)));
        const run = (): Float32Array => takeData(tf.tidy(() => columnSum(tf.tensor(x, shape))));
        const onWasm = run();
        // The heap kernel adds rows in the same order as the JavaScript loop: the same floats.
        expect(Array.from(onWasm)).toEqual(Array.from(want));
        expect(Array.from(await onCpu(run))).toEqual(Array.from(want));
        // tfjs sums in another order: equal up to float32 rounding of n/cols terms.
        for (let c = 0; c < cols; c++) expect(Math.abs(onWasm[c] - reference[c])).toBeLessThan(1e-5 * Math.sqrt(n / cols) * 10 + 1e-5);
      });

      it('leave no tensors behind', () =>
        tf.tidy(() => {
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            columnSum(reluGrad(tf.ones([4, 8]), tf.ones([4, 8])));
          });
          expect(tf.memory().numTensors).toBe(before);
        }));
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);

describeEngine(
  'kernels/bias-grad: ReluGrad on tensorflow',
  () => {
    it('is TensorFlow’s ReluGrad, one kernel with the floats of dy · sign(y), signed zeros included', async () => {
      const n = 1 << 14;
      // Negative gradients over zeros of y give -0 in dy · sign(y): the kernel must give the same.
      const dyValues = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : i % 11 === 0 ? 0 : Math.sin(i) * 1e3));
      const xValues = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i % 13 === 0 ? -0 : Math.cos(i * 1.7) * 10));
      expect(hasNativeReluGrad()).toBe(true);
      const dy = tf.tensor1d(dyValues);
      const y = tf.tidy(() => tf.relu(tf.tensor1d(xValues)));
      const [fused, plain] = tf.tidy(() => [reluGrad(dy, y).dataSync(), tf.mul(dy, tf.sign(y)).dataSync()]);
      const info = await tf.profile(() => reluGrad(dy, y));
      tf.dispose([dy, y, info.result as tf.Tensor]);
      expect(info.kernels.map((k) => k.name)).toEqual([RELU_GRAD]);
      let differing = 0;
      for (let i = 0; i < n; i++) if (!Object.is(fused[i], plain[i])) differing++;
      expect(differing).toBe(0);
      expect(Array.from(fused).some((v) => Object.is(v, -0))).toBe(true);
    });
  },
  { only: { backends: ['tensorflow'], why: 'the native kernel; cpu and wasm have their own (checked above)' } },
);
