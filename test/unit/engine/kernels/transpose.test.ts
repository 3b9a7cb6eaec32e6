import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { heapKernels } from '../../../../src/engine/kernels/heap';
import { transpose2d, transpose2dInto } from '../../../../src/engine/kernels/transpose';
import { normalStream, onCpu } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/transpose',
  () => {
    // The dense and conv layers' matrices, plus sizes that leave right and bottom edges after the 4×4 blocks.
    const SHAPES: [number, number][] = [
      [32, 4096],
      [4096, 32],
      [288, 64],
      [27, 32],
      [33, 65],
      [5, 7],
      [3, 1],
      [1, 6],
    ];

    describe('Transpose2D kernel', () => {
      it('runs in kernels.wat on the tfjs heap (not the JavaScript fallback)', () =>
        tf.tidy(() => {
          expect(tf.getBackend()).toBe('wasm');
          expect(heapKernels(tf.backend())?.transpose2d).toBeTypeOf('function');
        }));

      it.each(SHAPES)('equals tf.transpose exactly on wasm and cpu (%i × %i)', async (rows, cols) => {
        const next = normalStream(rows * 1000 + cols);
        const values = Float32Array.from({ length: rows * cols }, () => next());
        const want = new Float32Array(rows * cols);
        transpose2dInto(values, want, rows, cols);
        let misplaced = 0;
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (want[c * rows + r] !== values[r * cols + c]) misplaced++;
        expect(misplaced).toBe(0);
        const run = (): { shape: number[]; data: number[] } =>
          tf.tidy(() => {
            const t = transpose2d(tf.tensor2d(values, [rows, cols]));
            return { shape: t.shape, data: Array.from(t.dataSync()) };
          });
        const tfjs = tf.tidy(() => Array.from(tf.transpose(tf.tensor2d(values, [rows, cols])).dataSync()));
        expect(tfjs).toEqual(Array.from(want));
        expect(run()).toEqual({ shape: [cols, rows], data: Array.from(want) });
        expect(await onCpu(run)).toEqual({ shape: [cols, rows], data: Array.from(want) });
      });

      it('refuses what it cannot transpose', () =>
        tf.tidy(() => {
          expect(() => transpose2d(tf.zeros([2, 2], 'int32') as tf.Tensor2D)).toThrow(/float32/);
          expect(() => transpose2d(tf.zeros([2, 2, 2]) as unknown as tf.Tensor2D)).toThrow(/matrix/);
        }));

      it('leaves no tensors behind', () =>
        tf.tidy(() => {
          const x = tf.ones([8, 12]) as tf.Tensor2D;
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            transpose2d(x);
          });
          expect(tf.memory().numTensors).toBe(before);
          x.dispose();
        }));
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
