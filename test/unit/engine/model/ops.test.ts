/**
 * The custom (wasm) path of every layer op against tfjs's own ops and gradients on the cpu backend:
 * same values, same gradients (relative error ≤ 1e-4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d, conv2dTranspose, dense, type Activation, type LayerOptions } from '../../../../src/engine/model/ops';
import { IM2COL_T } from '../../../../src/engine/kernels/patches';
import { normalStream, quietly, relError } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'model/ops',
  () => {
    afterAll(async () => {
      await tf.setBackend('wasm');
    });

    async function onBackend<T>(name: 'cpu' | 'wasm', fn: () => T): Promise<T> {
      return quietly(async () => {
        await tf.setBackend(name);
        return fn();
      });
    }

    function randomArray(n: number, seed: number, scale = 1): Float32Array {
      const next = normalStream(seed);
      return Float32Array.from({ length: n }, () => scale * next());
    }

    type Shapes = number[][];
    type Op = (inputs: tf.Tensor[], options: LayerOptions) => tf.Tensor;

    /**
     * Value and gradients of sum(op(inputs) ⊙ r) for a fixed random r, so every output element's
     * gradient is exercised with a different weight.
     */
    function valueAndGrads(op: Op, values: Float32Array[], shapes: Shapes, outSeed: number, options: LayerOptions, gradOf: number[]): Float32Array[] {
      return tf.tidy(() => {
        const inputs = values.map((v, i) => tf.tensor(v, shapes[i]));
        const out = op(inputs, options);
        const r = tf.tensor(randomArray(out.size, outSeed), out.shape);
        const f = (...xs: tf.Tensor[]): tf.Scalar => {
          // An input without gradient is made inside f, as in a model: tfjs frees it after the forward pass.
          const all = inputs.map((t, i) => (gradOf.includes(i) ? xs[gradOf.indexOf(i)] : tf.mul(t, 1)));
          return tf.sum(tf.mul(op(all, options), r));
        };
        const grads = tf.grads(f)(gradOf.map((i) => inputs[i]));
        return [out.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array)];
      });
    }

    async function expectCustomMatchesCpu(op: Op, shapes: Shapes, options: LayerOptions, seed: number): Promise<void> {
      const values = shapes.map((s, i) =>
        randomArray(
          s.reduce((a, b) => a * b, 1),
          seed + i,
          0.5,
        ),
      );
      const gradOf = options.inputGradient === false ? shapes.map((_, i) => i).slice(1) : shapes.map((_, i) => i);
      const want = await onBackend('cpu', () => valueAndGrads(op, values, shapes, seed + 99, { ...options, mode: 'plain' }, gradOf));
      const got = await onBackend('wasm', () => valueAndGrads(op, values, shapes, seed + 99, { ...options, mode: 'custom' }, gradOf));
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => {
        const what = i === 0 ? 'value' : `gradient of input ${gradOf[i - 1]}`;
        expect(got[i].length, what).toBe(w.length);
        expect(relError(got[i], w), what).toBeLessThanOrEqual(1e-4);
      });
    }

    const ACTIVATIONS: Activation[] = ['linear', 'relu'];

    describe('dense (custom gradient: plain matMuls with explicit transposes)', () => {
      it.each(ACTIVATIONS)('%s: value and gradients match tf.grad on cpu', async (activation) => {
        const op: Op = ([x, w, b], o) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, o);
        await expectCustomMatchesCpu(op, [[5, 7], [7, 3], [3]], { activation }, 10);
      });

      it('inputGradient: false still gives the weight gradients', async () => {
        const op: Op = ([x, w, b], o) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, o);
        await expectCustomMatchesCpu(op, [[6, 4], [4, 5], [5]], { activation: 'relu', inputGradient: false }, 20);
      });

      // The gradients take each product in the order that packs the smaller operand: these shapes reach
      // both orders of dW (output wider or narrower than the input) and of dx (batch below or above the input).
      it.each([
        [
          [5, 7],
          [7, 3],
        ],
        [
          [8, 3],
          [3, 6],
        ],
        [
          [4, 9],
          [9, 12],
        ],
        [
          [9, 4],
          [4, 2],
        ],
        // few rows and whole SIMD columns: the forward pass and the products in place (kernels/matmul)
        [
          [7, 9],
          [9, 13],
        ],
        [
          [6, 40],
          [40, 16],
        ],
      ])('product orders: x %j, W %j match tf.grad on cpu', async (xShape, wShape) => {
        const op: Op = ([x, w, b], o) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, o);
        await expectCustomMatchesCpu(op, [xShape, wShape, [wShape[1]]], { activation: 'relu' }, 30);
      });
    });

    describe('conv2d (custom gradient: XNNPACK forward, im2col/col2im + matMul backward)', () => {
      it.each([
        ['stride 2, relu', [2, 8, 8, 3], [3, 3, 3, 4], 2, 'relu'],
        ['stride 2, odd size, 1 channel', [2, 7, 7, 1], [3, 3, 1, 5], 2, 'linear'],
        ['stride 1', [1, 5, 5, 2], [3, 3, 2, 3], 1, 'relu'],
        // 4k channels in, 8k out: the filter gradient in one kernel (kernels/filter-grad)
        ['stride 2, the filter-gradient kernel', [2, 8, 8, 4], [3, 3, 4, 8], 2, 'relu'],
      ] as const)('%s: value and gradients match tf.grad on cpu', async (_name, xShape, fShape, stride, activation) => {
        const op: Op = ([x, f, b], o) => conv2d(x as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, stride, o);
        await expectCustomMatchesCpu(op, [[...xShape], [...fShape], [fShape[3]]], { activation }, 30);
      });

      it('inputGradient: false (the first layer) still gives the filter and bias gradients', async () => {
        const op: Op = ([x, f, b], o) => conv2d(x as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, 2, o);
        await expectCustomMatchesCpu(op, [[2, 8, 8, 1], [3, 3, 1, 4], [4]], { activation: 'relu', inputGradient: false }, 40);
      });
    });

    describe('conv2dTranspose (custom gradient: matMul + col2im forward, XNNPACK conv + im2col backward)', () => {
      it.each([
        ['4×4 → 8×8, relu', [2, 4, 4, 5], [3, 3, 3, 5], 'relu'],
        ['7×7 → 14×14 to one channel', [2, 7, 7, 4], [3, 3, 1, 4], 'linear'],
        ['4×4 → 8×8, 8 → 4 channels: the filter-gradient kernel', [2, 4, 4, 8], [3, 3, 4, 8], 'relu'],
      ] as const)('%s: value and gradients match tf.grad on cpu', async (_name, xShape, fShape, activation) => {
        const op: Op = ([x, f, b], o) => conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, 2, o);
        await expectCustomMatchesCpu(op, [[...xShape], [...fShape], [fShape[2]]], { activation }, 50);
      });
    });

    describe('path selection', () => {
      /** The kernels conv2d runs, forward and (when `backward`) its gradient: the path taken shows in them. */
      async function kernelsOf(backend: 'cpu' | 'wasm', mode: 'auto' | 'plain', backward = true): Promise<string[]> {
        return onBackend(backend, async () => {
          const x = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
          const f = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
          const b = tf.zeros([2]) as tf.Tensor1D;
          const info = await tf.profile(() =>
            backward ? tf.grads((fi: tf.Tensor) => tf.sum(conv2d(x, fi as tf.Tensor4D, b, 2, mode)))([f])[0] : conv2d(x, f, b, 2, mode),
          );
          tf.dispose([x, f, b, info.result as tf.Tensor]);
          return info.kernelNames;
        });
      }

      it("'auto' takes the custom path on wasm (fused forward, patch-kernel gradient) and the plain path on cpu", async () => {
        const autoWasm = await kernelsOf('wasm', 'auto');
        expect(autoWasm).toContain('FusedConv2D');
        expect(autoWasm).toContain(IM2COL_T);
        expect(autoWasm).not.toContain('Conv2D');
        // (tfjs has no conv2d gradient kernels on wasm: that is why the custom path exists.)
        const plainWasm = await kernelsOf('wasm', 'plain', false);
        expect(plainWasm).toContain('Conv2D');
        expect(plainWasm).not.toContain(IM2COL_T);
        const autoCpu = await kernelsOf('cpu', 'auto');
        expect(autoCpu).toContain('Conv2D');
        expect(autoCpu).not.toContain(IM2COL_T);
      });

      it("both paths give the same values, and 'auto' leaves no tensors behind", async () => {
        const before = tf.memory().numTensors;
        await onBackend('wasm', () =>
          tf.tidy(() => {
            const x = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
            const f = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
            const b = tf.zeros([2]) as tf.Tensor1D;
            const auto = conv2d(x, f, b, 2).dataSync();
            const plain = conv2d(x, f, b, 2, 'plain').dataSync();
            expect(Array.from(auto)).toEqual(Array.from(plain));
          }),
        );
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
