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
import { heapKernels, type CpuBackendLike, type HeapKernels, type WasmBackendLike } from './heap';

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

const size = (shape: number[]): number => shape.reduce((p, q) => p * q, 1);
/** The columns of a [..., C] tensor read as a [rows, C] matrix. */
const lastDim = (x: tf.TensorInfo): number => x.shape[x.shape.length - 1] ?? 1;

/** One of these kernels: its inputs by name, its output's shape, its heap call and its JavaScript loop. */
interface KernelSpec {
  name: string;
  inputs: string[];
  outShape: (x: tf.TensorInfo) => number[];
  heap: (h: HeapKernels, inputs: number[], out: number, x: tf.TensorInfo) => void;
  loop: (inputs: Float32Array[], out: Float32Array, x: tf.TensorInfo) => void;
}

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

function wasmKernel(k: KernelSpec): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    // Allocate before taking views or offsets: a heap that grows detaches older views.
    const out = wasm.makeOutput(k.outShape(ins[0]), 'float32');
    const heap = heapKernels(backend);
    if (heap)
      k.heap(
        heap,
        ins.map((t) => heap.offset(t)),
        heap.offset(out),
        ins[0],
      );
    else
      k.loop(
        ins.map((t) => wasm.typedArrayFromHeap(t)),
        wasm.typedArrayFromHeap(out),
        ins[0],
      );
    return out;
  };
}

function cpuKernel(k: KernelSpec): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    const shape = k.outShape(ins[0]);
    const out = new Float32Array(size(shape));
    k.loop(
      ins.map((t) => cpu.data.get(t.dataId).values),
      out,
      ins[0],
    );
    return cpu.makeTensorInfo(shape, 'float32', out);
  };
}

let registered = false;

export function registerBiasGradKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of SPECS) {
    if (!tf.getKernel(k.name, 'wasm')) tf.registerKernel({ kernelName: k.name, backendName: 'wasm', kernelFunc: wasmKernel(k) });
    if (!tf.getKernel(k.name, 'cpu')) tf.registerKernel({ kernelName: k.name, backendName: 'cpu', kernelFunc: cpuKernel(k) });
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
