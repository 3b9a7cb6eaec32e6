/**
 * The two elementwise parts of every layer's backward pass, as one kernel each on wasm and cpu:
 * - ReluGrad:  g = y > 0 ? dy : 0 (y the layer's output), instead of tfjs's Step and Multiply
 *   (two passes and a temporary);
 * - ColumnSum: the bias gradient Σ_rows g[row, c] of a [rows, C] matrix. tfjs's wasm Sum over a
 *   leading axis transposes the whole matrix first, so for the 16,384 × 32 gradient of a 32×32 image
 *   batch it was the slowest elementwise step of training.
 *
 * Why: on wasm, these small passes were a sixth of a conv VAE's training step (profiled with
 * tf.profile in scratch runs; see docs/ARCHITECTURE.md "Training speed"). kernels.wat does each in one
 * SIMD pass over the heap; the JavaScript loops below are the reference (cpu, and wasm where
 * kernels.wat cannot be instantiated) and add in the same order, so both give the same floats.
 * Neither op has a gradient: they are only used inside custom gradients (model/ops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkFloat, registerSpecKernels, size, type KernelSpec } from './spec-kernels';

export const RELU_GRAD = 'LatentscapeReluGrad';
export const COLUMN_SUM = 'LatentscapeColumnSum';

export function reluGradInto(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = y[i] > 0 ? dy[i] : 0;
}

export function columnSumInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  dst.fill(0);
  let p = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c] += src[p++];
}

/** The columns of a [..., C] tensor read as a [rows, C] matrix. */
const lastDim = (x: tf.TensorInfo): number => x.shape[x.shape.length - 1] ?? 1;

const SPECS: KernelSpec[] = [
  {
    name: RELU_GRAD,
    inputs: ['dy', 'y'],
    outShape: (dy) => dy.shape,
    heap: (h, [dy, y], out, x) => h.reluGrad(dy, y, out, size(x.shape)),
    loop: ([dy, y], out) => reluGradInto(dy, y, out),
  },
  {
    name: COLUMN_SUM,
    inputs: ['x'],
    outShape: (x) => [lastDim(x)],
    heap: (h, [src], out, x) => h.columnSum(src, out, size(x.shape) / lastDim(x), lastDim(x)),
    loop: ([src], out, x) => columnSumInto(src, out, size(x.shape) / out.length, out.length),
  },
];

let registered = false;

export function registerBiasGradKernels(): void {
  if (registered) return;
  registered = true;
  registerSpecKernels(SPECS);
}

/** What the kernel below uses of tfjs-node's backend: how its own kernels run a TensorFlow op. */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: { name: string; type: number; value: number }[], inputs: tf.TensorInfo[]): tf.TensorInfo;
}

let nativeReluGrad = false;

/**
 * ReluGrad on native TensorFlow: TensorFlow's own ReluGrad op, dy · (y > 0), one kernel in place of the
 * plain path's Sign and Multiply (model/ops.ts). Its floats are those of dy · sign(y) for y = relu(x) ≥ 0,
 * signed zeros included (only a NaN y differs: 0 here, NaN there). Measured in docs/PERFORMANCE.md (session 16).
 */
export function registerReluGradOnTensorflow(): void {
  const backend = tf.findBackend('tensorflow') as Partial<NativeBackend> | null;
  // Only tfjs-node's backend (a stand-in under that name keeps the plain path).
  if (nativeReluGrad || typeof backend?.executeSingleOutput !== 'function' || !backend.binding) return;
  nativeReluGrad = true;
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const native = backend as unknown as NativeBackend;
      const type = { name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
      return native.executeSingleOutput('ReluGrad', [type], [inputs.dy as tf.TensorInfo, inputs.y as tf.TensorInfo]);
    },
  });
}

/** Whether the current backend has a one-kernel reluGrad that keeps the plain path's numbers (native TensorFlow). */
export function hasNativeReluGrad(): boolean {
  return nativeReluGrad && tf.getBackend() === 'tensorflow';
}

/** y > 0 ? dy : 0, elementwise (dy and y of the same shape). */
export function reluGrad<T extends tf.Tensor>(dy: T, y: tf.Tensor): T {
  registerBiasGradKernels();
  checkFloat(RELU_GRAD, dy, y);
  if (dy.shape.join('x') !== y.shape.join('x')) throw new Error(`${RELU_GRAD}: dy is [${dy.shape}], y is [${y.shape}]`);
  return tf.engine().runKernel(RELU_GRAD, { dy, y }, {}) as T;
}

/** Σ over every axis but the last: [..., C] → [C]. */
export function columnSum(x: tf.Tensor): tf.Tensor1D {
  registerBiasGradKernels();
  checkFloat(COLUMN_SUM, x);
  return tf.engine().runKernel(COLUMN_SUM, { x }, {}) as tf.Tensor1D;
}
