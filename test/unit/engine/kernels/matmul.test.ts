import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { heapKernels, kernelsFuse } from '../../../../src/engine/kernels/heap';
import { denseInPlace, inPlaceIsFaster, matMulInPlace, matmulInto, product } from '../../../../src/engine/kernels/matmul';
import { normalStream, onCpu, relError } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/matmul',
  () => {
    // [m, k, n]: the training step's long-K and wide products, and sizes that reach every edge of the
    // 4 × 8 blocks: rows left over (m mod 4), a 4-column block and single columns (n mod 8), and k that is
    // not a multiple of the 4-step unrolled loop.
    const SHAPES: [number, number, number][] = [
      [27, 512, 32],
      [32, 256, 27],
      [32, 32, 64],
      [7, 9, 13],
      [4, 8, 8],
      [5, 3, 12],
      [1, 1, 1],
      [3, 6, 2],
      [9, 17, 15],
    ];

    function random(n: number, seed: number): Float32Array {
      const next = normalStream(seed);
      return Float32Array.from({ length: n }, () => next());
    }

    describe('MatMul in place (kernels.wat matmul)', () => {
      it('runs in kernels.wat on the tfjs heap (not the JavaScript fallback)', () =>
        tf.tidy(() => {
          expect(tf.getBackend()).toBe('wasm');
          expect(heapKernels(tf.backend())?.matmul).toBeTypeOf('function');
        }));

      it.each(SHAPES)('a·b equals the reference loop bit for bit on wasm and cpu, and tf.matMul (%i × %i × %i)', async (m, k, n) => {
        const a = random(m * k, m * 100 + k);
        const b = random(k * n, n * 7 + 1);
        const want = new Float32Array(m * n);
        matmulInto(a, b, null, want, m, k, n, false);
        const run = (): number[] => tf.tidy(() => Array.from(matMulInPlace(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync()));
        expect(run()).toEqual(Array.from(want));
        expect(await onCpu(run)).toEqual(Array.from(want));
        const tfjs = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
        expect(relError(want, tfjs)).toBeLessThan(1e-6);
      });

      it.each(SHAPES)('act(a·b + bias) equals the reference loop on wasm and cpu, and tfjs, for linear and relu (%i × %i × %i)', async (m, k, n) => {
        const a = random(m * k, m + k);
        const b = random(k * n, n + 3);
        const bias = random(n, n + 11);
        for (const activation of ['linear', 'relu'] as const) {
          const want = new Float32Array(m * n);
          matmulInto(a, b, bias, want, m, k, n, activation === 'relu');
          if (activation === 'relu' && m * n >= 8) expect(want.some((v) => v === 0)).toBe(true); // the floor is reached
          const run = (): number[] =>
            tf.tidy(() => Array.from(denseInPlace(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n]), tf.tensor1d(bias), activation).dataSync()));
          expect(run()).toEqual(Array.from(want));
          expect(await onCpu(run)).toEqual(Array.from(want));
          const tfjs = tf.tidy(() => {
            const y = tf.add(tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])), tf.tensor1d(bias));
            return (activation === 'relu' ? tf.relu(y) : y).dataSync();
          });
          expect(relError(want, tfjs)).toBeLessThan(1e-6);
        }
      });

      it('product picks the in-place kernel only for few rows (any row count with fused multiply-adds) and whole SIMD columns, on wasm', async () => {
        const fused = kernelsFuse();
        expect(inPlaceIsFaster(32, 4096)).toBe(true);
        expect(inPlaceIsFaster(27, 32)).toBe(true);
        expect(inPlaceIsFaster(288, 64)).toBe(fused);
        expect(inPlaceIsFaster(32, 3)).toBe(false);
        expect(await onCpu(() => inPlaceIsFaster(32, 4096))).toBe(false);
        const kernelsOf = async (m: number, n: number): Promise<string[]> => {
          const a = tf.ones([m, 16]) as tf.Tensor2D;
          const b = tf.ones([16, n]) as tf.Tensor2D;
          const info = await tf.profile(() => product(a, b));
          tf.dispose([a, b, info.result as tf.Tensor]);
          return info.kernelNames;
        };
        expect(await kernelsOf(8, 16)).toEqual(['LatentscapeMatMulInPlace']);
        expect(await kernelsOf(128, 16)).toEqual([fused ? 'LatentscapeMatMulInPlace' : 'BatchMatMul']);
      });

      it('refuses what it cannot multiply', () =>
        tf.tidy(() => {
          expect(() => matMulInPlace(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/\[m, k\] and \[k, n\]/);
          expect(() => matMulInPlace(tf.zeros([2, 2], 'int32') as tf.Tensor2D, tf.zeros([2, 2]) as tf.Tensor2D)).toThrow(/float32/);
          expect(() => denseInPlace(tf.zeros([2, 2]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2]) as tf.Tensor1D, 'relu')).toThrow(
            /bias of length 3/,
          );
        }));

      it('leaves no tensors behind', () =>
        tf.tidy(() => {
          const a = tf.ones([9, 12]) as tf.Tensor2D;
          const b = tf.ones([12, 16]) as tf.Tensor2D;
          const bias = tf.ones([16]) as tf.Tensor1D;
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            matMulInPlace(a, b);
            denseInPlace(a, b, bias, 'relu');
          });
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([a, b, bias]);
        }));
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
