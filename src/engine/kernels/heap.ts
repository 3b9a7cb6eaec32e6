/**
 * The kernels of kernels.wat, instantiated on the tfjs wasm backend's own memory, so they read and
 * write tensors in place by the byte offsets tfjs records for them.
 *
 * `heapKernels(backend)` returns null when that memory cannot be reached (another tfjs build, a
 * threaded build with shared memory, no SIMD): callers then use their JavaScript loops.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/** What the kernels need from tfjs's BackendWasm (public fields of its JS class). */
export interface WasmBackendLike {
  wasm: { asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** What a kernel needs from tfjs's cpu backend (its JavaScript loops run there). */
export interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/** The geometry arguments of the patch kernels (patches.ts), in kernels.wat's order. */
type GeometryArgs = [
  batch: number,
  channels: number,
  kernel: number,
  stride: number,
  padTop: number,
  padLeft: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
];

/**
 * A patch kernel over the heap: `from` and `to` are byte offsets (image → patches for im2col/im2colT,
 * patches → image for col2im), then the geometry of patches.ts.
 */
type PatchCall = (from: number, to: number, ...geometry: GeometryArgs) => void;

export interface HeapKernels {
  /** Byte offset of a tensor's data on the heap. */
  offset(t: tf.TensorInfo): number;
  adam(
    value: number,
    grad: number,
    m: number,
    v: number,
    outValue: number,
    outM: number,
    outV: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
    negLr: number,
    d1: number,
    d2: number,
  ): void;
  im2col: PatchCall;
  im2colT: PatchCall;
  /** im2colT for a channel count that is a multiple of 4 (4 × 4 SIMD blocks). */
  im2colT4: PatchCall;
  /** out = y > 0 ? dy : 0, over n floats. */
  reluGrad(dy: number, y: number, out: number, n: number): void;
  /** dst[c] = Σ_r src[r, c] for a [rows, cols] matrix. */
  columnSum(src: number, dst: number, rows: number, cols: number): void;
  col2im: PatchCall;
  /** dst[c, r] = src[r, c] for a [rows, cols] matrix. */
  transpose2d(src: number, dst: number, rows: number, cols: number): void;
  /**
   * c = act(a·b + bias) for row-major [M, K] and [K, N] matrices, read in place (no packed copy);
   * flags: bit 0 adds the bias, bit 1 applies ReLU.
   */
  matmul(a: number, b: number, bias: number, c: number, m: number, k: number, n: number, flags: number): void;
  /** im2colT(x)·dy without the patch matrix, for channels % 4 == 0 and n % 8 == 0 (filter-grad.ts). */
  filterGrad4(x: number, dy: number, out: number, ...geometryAndWidth: [...GeometryArgs, n: number]): void;
}

const cache = new WeakMap<object, HeapKernels | null>();
let compiled: WebAssembly.Module | null | undefined;

function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch {
      compiled = null; // e.g. an engine without wasm SIMD
    }
  }
  return compiled;
}

/**
 * Adam on a memory of the caller's own, for a backend whose tensors do not live on a wasm heap
 * (tfjs-node): the caller copies the arrays in and out. Null without wasm SIMD.
 */
export function adamOnMemory(memory: WebAssembly.Memory): HeapKernels['adam'] | null {
  const module = compiledModule();
  if (!module) return null;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return (instance.exports as unknown as HeapKernels).adam;
  } catch {
    return null;
  }
}

export function heapKernels(backend: unknown): HeapKernels | null {
  const b = backend as WasmBackendLike;
  if (typeof b !== 'object' || b === null) return null;
  if (cache.has(b)) return cache.get(b) ?? null;
  let kernels: HeapKernels | null = null;
  const memory = b.wasm?.asm?.memory;
  const module = compiledModule();
  if (memory instanceof WebAssembly.Memory && module && !(memory.buffer instanceof SharedArrayBuffer)) {
    try {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      const exports = instance.exports as unknown as Omit<HeapKernels, 'offset'>;
      kernels = {
        offset: (t) => b.dataIdMap.get(t.dataId).memoryOffset,
        adam: exports.adam,
        im2col: exports.im2col,
        im2colT: exports.im2colT,
        im2colT4: exports.im2colT4,
        col2im: exports.col2im,
        reluGrad: exports.reluGrad,
        columnSum: exports.columnSum,
        transpose2d: exports.transpose2d,
        matmul: exports.matmul,
        filterGrad4: exports.filterGrad4,
      };
    } catch {
      kernels = null;
    }
  }
  cache.set(b, kernels);
  return kernels;
}
