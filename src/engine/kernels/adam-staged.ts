/**
 * kernels.wat's Adam for a backend whose tensors do not live on a wasm heap (native TensorFlow through
 * tfjs-node): the four arrays are copied onto a wasm memory of our own, updated there in place in one
 * SIMD pass, and the three results copied out into fresh arrays.
 *
 * Why: tfjs's Adam dispatches 14 TensorFlow kernels per variable, each a pass over the weights that
 * allocates a full-size output; on the MLP that was half of a training step (docs/PERFORMANCE.md).
 * Seven plain copies and one pass cost a fraction of that.
 *
 * The results must be fresh arrays, never views of the staging memory: tfjs-node keeps the array a
 * tensor is made from, uncopied, until an op first reads it (`write` stores it lazily), and the next
 * variable's update overwrites the staging memory.
 */
import { adamOnMemory, type HeapKernels } from './heap';

const PAGE_BYTES = 65536;

/** The float32 constants of the update (adam.ts's `constants`). */
export interface AdamConstants {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  eps: number;
  negLr: number;
  d1: number;
  d2: number;
}

let memory: WebAssembly.Memory | null = null;
let adam: HeapKernels['adam'] | null | undefined;

/** The staging memory, grown to at least `bytes`, and the kernel on it; null where wasm SIMD is missing. */
function stage(bytes: number): { memory: WebAssembly.Memory; adam: HeapKernels['adam'] } | null {
  if (adam === undefined) {
    memory = new WebAssembly.Memory({ initial: 1 });
    adam = adamOnMemory(memory);
  }
  if (!adam || !memory) return null;
  const missing = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
  if (missing > 0) {
    try {
      memory.grow(missing);
    } catch {
      return null; // beyond wasm32's 4 GiB or out of memory: the caller's JavaScript loop runs instead
    }
  }
  return { memory, adam };
}

/**
 * [value', m', v'] for arrays of n floats, or null when the staging memory cannot be had (the caller
 * then runs adam.ts's JavaScript loop, the same arithmetic).
 */
export function stagedAdam(
  value: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamConstants,
): [Float32Array, Float32Array, Float32Array] | null {
  const n = value.length;
  // Each array in its own 16-byte-aligned region: the kernel's SIMD loads are aligned then.
  const stride = (n + 3) & ~3;
  const staged = stage(4 * stride * 4);
  if (!staged) return null;
  const heap = new Float32Array(staged.memory.buffer);
  const [atValue, atGrad, atM, atV] = [0, 1, 2, 3].map((k) => k * stride);
  heap.set(value, atValue);
  heap.set(grad, atGrad);
  heap.set(m, atM);
  heap.set(v, atV);
  // In place: the kernel reads every lane of value, m and v before it stores that lane.
  staged.adam(4 * atValue, 4 * atGrad, 4 * atM, 4 * atV, 4 * atValue, 4 * atM, 4 * atV, n, c.b1, c.c1, c.b2, c.c2, c.eps, c.negLr, c.d1, c.d2);
  return [heap.slice(atValue, atValue + n), heap.slice(atM, atM + n), heap.slice(atV, atV + n)];
}
