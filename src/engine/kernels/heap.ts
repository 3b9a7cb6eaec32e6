/**
 * The kernels of kernels.wat, instantiated on the tfjs wasm backend's own memory, so they read and
 * write tensors in place by the byte offsets tfjs records for them.
 *
 * `heapKernels(backend)` returns null when that memory cannot be reached (another tfjs build, a
 * threaded build with shared memory, no SIMD): callers then use their JavaScript loops.
 *
 * Two builds (build-wasm.ts): the relaxed one, whose products multiply-add in one instruction, where
 * the engine has relaxed SIMD (Node ≥ 22, Electron), and the plain one otherwise. `kernelsFuse()`
 * says whether those multiply-adds round once, so that the JavaScript loops (fma.ts) match.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ADAM_FLUSHED_WASM_BASE64 } from './adam-flushed-wasm';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm';

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

/**
 * The relaxed-SIMD feature check, and whether `f32x4.relaxed_madd` fuses here (the spec lets an engine
 * round the product first, as V8 does on x86 without FMA3):
 *   (module (func (export "madd") (param f32 f32 f32) (result f32)
 *     (f32x4.extract_lane 0 (f32x4.relaxed_madd (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2))))))
 */
export const RELAXED_MADD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 125, 125, 125, 1, 125, 3, 2, 1, 0, 7, 8, 1, 4, 109, 97, 100, 100, 0, 0, 10, 22, 1, 20, 0, 32, 0, 253, 19, 32, 1,
  253, 19, 32, 2, 253, 19, 253, 133, 2, 253, 31, 0, 11,
]);

export type KernelsBuild = 'plain' | 'relaxed';

/** Whether this engine's `f32x4.relaxed_madd` rounds once; null where it has no relaxed SIMD. */
export function relaxedMaddFuses(): boolean | null {
  if (!WebAssembly.validate(RELAXED_MADD_PROBE)) return null;
  const { madd } = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_MADD_PROBE)).exports as { madd(a: number, b: number, c: number): number };
  // (1 + 2⁻¹³)² = 1 + 2⁻¹² + 2⁻²⁶: rounded to float32 first, the 2⁻²⁶ is lost and the sum is 0.
  return madd(1 + 2 ** -13, 1 + 2 ** -13, -(1 + 2 ** -12)) === 2 ** -26;
}

interface Compiled {
  module: WebAssembly.Module;
  build: KernelsBuild;
  fused: boolean;
}

const compiled = new Map<KernelsBuild, Compiled | null>();
const instances = new Map<Compiled, WeakMap<object, HeapKernels | null>>();
let wanted: KernelsBuild | 'auto' = 'auto';

function compile(build: KernelsBuild): Compiled | null {
  if (compiled.has(build)) return compiled.get(build) ?? null;
  let result: Compiled | null = null;
  const fuses = build === 'relaxed' ? relaxedMaddFuses() : false;
  if (fuses !== null)
    try {
      const bytes = Buffer.from(build === 'relaxed' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64, 'base64');
      result = { module: new WebAssembly.Module(bytes), build, fused: fuses };
    } catch {
      result = null; // e.g. an engine without wasm SIMD
    }
  compiled.set(build, result);
  return result;
}

function compiledModule(): Compiled | null {
  return wanted === 'auto' ? (compile('relaxed') ?? compile('plain')) : compile(wanted);
}

/** Pins the build from the next kernel call on (an A/B of the two in one process), or 'auto'. */
export function selectKernelsBuild(build: KernelsBuild | 'auto'): void {
  wanted = build;
}

/** The build heapKernels instantiates (null: none, the JavaScript loops run). */
export function kernelsBuild(): KernelsBuild | null {
  return compiledModule()?.build ?? null;
}

/** Whether the kernels' products round each multiply-add once (the relaxed build, fused here). */
export function kernelsFuse(): boolean {
  return compiledModule()?.fused ?? false;
}

/** adam-flushed.wat, compiled once; null where the engine lacks wasm SIMD. */
let adamFlushedModule: WebAssembly.Module | null | undefined;

/**
 * Adam as native TensorFlow computes it (adam-flushed.wat: kernels.wat's `adam` with subnormals
 * flushed to zero, as TensorFlow's CPU kernels do), on a memory of the caller's own, for tfjs-node,
 * whose tensors do not live on a wasm heap: the caller copies the arrays in and out. Null without wasm
 * SIMD. Never fused: it rounds as tf.train.adam does.
 */
export function adamOnMemory(memory: WebAssembly.Memory): HeapKernels['adam'] | null {
  if (adamFlushedModule === undefined) {
    try {
      adamFlushedModule = new WebAssembly.Module(Buffer.from(ADAM_FLUSHED_WASM_BASE64, 'base64'));
    } catch {
      adamFlushedModule = null;
    }
  }
  if (!adamFlushedModule) return null;
  try {
    const instance = new WebAssembly.Instance(adamFlushedModule, { env: { memory } });
    return (instance.exports as unknown as { adamFlushed: HeapKernels['adam'] }).adamFlushed;
  } catch {
    return null;
  }
}

export function heapKernels(backend: unknown): HeapKernels | null {
  const b = backend as WasmBackendLike;
  if (typeof b !== 'object' || b === null) return null;
  const build = compiledModule();
  if (!build) return null;
  const cache = instances.get(build) ?? new WeakMap<object, HeapKernels | null>();
  instances.set(build, cache);
  if (cache.has(b)) return cache.get(b) ?? null;
  let kernels: HeapKernels | null = null;
  const memory = b.wasm?.asm?.memory;
  if (memory instanceof WebAssembly.Memory && !(memory.buffer instanceof SharedArrayBuffer)) {
    try {
      const instance = new WebAssembly.Instance(build.module, { env: { memory } });
      const exports = instance.exports as unknown as Omit<HeapKernels, 'offset'>;
      kernels = {
        offset: (t) => b.dataIdMap.get(t.dataId).memoryOffset,
        // The flushing Adam on wasm too: tfjs-wasm keeps subnormal moments, and x86 computes them ~100x
        // slower (adam.ts).
        adam: adamOnMemory(memory) ?? exports.adam,
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
