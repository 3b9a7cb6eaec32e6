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
import { heapKernels } from './heap';

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

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

const size = (shape: number[]): number => shape.reduce((p, q) => p * q, 1);

function lastDim(t: tf.TensorInfo): number {
  return t.shape[t.shape.length - 1] ?? 1;
}

let registered = false;

export function registerBiasGradKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(RELU_GRAD, 'wasm')) {
    tf.registerKernel({
      kernelName: RELU_GRAD,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const wasm = backend as unknown as WasmBackendLike;
        const { dy, y } = inputs as Record<string, tf.TensorInfo>;
        // Allocate before taking views or offsets: a heap that grows detaches older views.
        const out = wasm.makeOutput(dy.shape, 'float32');
        const heap = heapKernels(backend);
        if (heap) heap.reluGrad(heap.offset(dy), heap.offset(y), heap.offset(out), size(dy.shape));
        else reluGradInto(wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(y), wasm.typedArrayFromHeap(out));
        return out;
      },
    });
  }
  if (!tf.getKernel(COLUMN_SUM, 'wasm')) {
    tf.registerKernel({
      kernelName: COLUMN_SUM,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const wasm = backend as unknown as WasmBackendLike;
        const x = inputs.x as tf.TensorInfo;
        const cols = lastDim(x);
        const out = wasm.makeOutput([cols], 'float32');
        const heap = heapKernels(backend);
        if (heap) heap.columnSum(heap.offset(x), heap.offset(out), size(x.shape) / cols, cols);
        else columnSumInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out), size(x.shape) / cols, cols);
        return out;
      },
    });
  }
  if (!tf.getKernel(RELU_GRAD, 'cpu')) {
    tf.registerKernel({
      kernelName: RELU_GRAD,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend }) => {
        const cpu = backend as unknown as CpuBackendLike;
        const { dy, y } = inputs as Record<string, tf.TensorInfo>;
        const out = new Float32Array(size(dy.shape));
        reluGradInto(cpu.data.get(dy.dataId).values, cpu.data.get(y.dataId).values, out);
        return cpu.makeTensorInfo(dy.shape, 'float32', out);
      },
    });
  }
  if (!tf.getKernel(COLUMN_SUM, 'cpu')) {
    tf.registerKernel({
      kernelName: COLUMN_SUM,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend }) => {
        const cpu = backend as unknown as CpuBackendLike;
        const x = inputs.x as tf.TensorInfo;
        const cols = lastDim(x);
        const out = new Float32Array(cols);
        columnSumInto(cpu.data.get(x.dataId).values, out, size(x.shape) / cols, cols);
        return cpu.makeTensorInfo([cols], 'float32', out);
      },
    });
  }
}

function checkFloat(name: string, ...ts: tf.Tensor[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name} needs float32, got ${t.dtype}`);
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
