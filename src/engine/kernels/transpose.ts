/**
 * A 2-D transpose as one kernel on wasm and cpu.
 *
 * Why: the custom layer gradients (model/ops.ts) turn every matMul into the plain form XNNPACK runs
 * fast, and that takes transposes; tfjs's wasm Transpose walks each element through n-d index
 * arithmetic (≈ 1.2 ms for a 32 × 4,096 matrix here), while kernels.wat moves 4 × 4 blocks with SIMD
 * shuffles. No gradient: it is only used inside custom gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkFloat, registerSpecKernels, type KernelSpec } from './spec-kernels';

export const TRANSPOSE_2D = 'LatentscapeTranspose2D';

export function transpose2dInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
}

const SPEC: KernelSpec = {
  name: TRANSPOSE_2D,
  inputs: ['x'],
  outShape: (x) => [x.shape[1], x.shape[0]],
  heap: (h, [src], out, x) => h.transpose2d(src, out, x.shape[0], x.shape[1]),
  loop: ([src], out, x) => transpose2dInto(src, out, x.shape[0], x.shape[1]),
};

let registered = false;

/** xᵀ for a [rows, cols] matrix. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (!registered) {
    registered = true;
    registerSpecKernels([SPEC]);
  }
  checkFloat(TRANSPOSE_2D, x);
  if (x.rank !== 2) throw new Error(`${TRANSPOSE_2D} needs a matrix, got rank ${x.rank}`);
  return tf.engine().runKernel(TRANSPOSE_2D, { x }, {}) as tf.Tensor2D;
}
