/**
 * The fused Adam (adam-flushed.wat, which flushes subnormal numbers to zero as TensorFlow's kernels
 * do) for a backend whose tensors do not live on a wasm heap: native TensorFlow through tfjs-node.
 * Each variable's two moments and its weights live on a wasm memory of the optimizer's own between
 * steps; a step copies the gradient in (and the weights, when they changed elsewhere since the last
 * step), updates all three in place in one SIMD pass, and copies the new weights out.
 *
 * Why: tfjs's Adam dispatches 14 TensorFlow kernels per variable, each a pass over the weights that
 * allocates a full-size output; on the MLP that was half of a training step (docs/PERFORMANCE.md).
 * Keeping the moments here spares four copies and two fresh arrays per variable and step: fresh
 * megabyte arrays are what cost most once the kernels were fused.
 *
 * The tfjs moment variables (getWeights, checkpoints) are brought up to date only when asked
 * (`moments`); adam.ts does that before getWeights.
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

/** The constants in the order kernels.wat's `adam` takes them, after its pointers and count. */
export function adamConstantArgs(c: AdamConstants): [number, number, number, number, number, number, number, number] {
  return [c.b1, c.c1, c.b2, c.c2, c.eps, c.negLr, c.d1, c.d2];
}

/** Float offsets of one variable's weights and moments on the staging memory. */
interface Region {
  w: number;
  m: number;
  v: number;
  n: number;
  /**
   * The tfjs data the staged weights are a copy of (the variable's dataId after the last update), or
   * null until the weights were copied in. tfjs data never changes in place: a variable that was
   * assigned anything else since has another dataId, and its weights are copied in again.
   */
  weightsOf: object | null;
}

/** Floats from `n` up to the next multiple of 4: every array starts 16-byte aligned for the SIMD loads. */
const aligned = (n: number): number => (n + 3) & ~3;

export class StagedAdam {
  private readonly regions = new Map<number, Region>();
  /** First float after the regions: the weights and gradient of the variable being updated go there. */
  private top = 0;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly adam: HeapKernels['adam'],
  ) {}

  /** Null where wasm SIMD is missing (the caller runs tfjs's own update). */
  static create(): StagedAdam | null {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const adam = adamOnMemory(memory);
    return adam ? new StagedAdam(memory, adam) : null;
  }

  /** Whether variable `index`'s moments (of n floats) are here; if not, the caller `load`s them. */
  has(index: number, n: number): boolean {
    return this.regions.get(index)?.n === n;
  }

  /** Takes variable `index`'s moments from the tfjs variables (first step, or after setWeights). */
  load(index: number, m: Float32Array, v: Float32Array): void {
    const n = m.length;
    let region = this.regions.get(index);
    if (!region || region.n !== n) {
      region = { w: this.top, m: this.top + aligned(n), v: this.top + 2 * aligned(n), n, weightsOf: null };
      this.top += 3 * aligned(n);
      this.regions.set(index, region);
    }
    region.weightsOf = null;
    this.reserve(this.top);
    const heap = this.floats();
    heap.set(m, region.m);
    heap.set(v, region.v);
  }

  /** Whether the staged weights of variable `index` are a copy of the tfjs data `dataId`. */
  holdsWeightsOf(index: number, dataId: object): boolean {
    return this.regions.get(index)?.weightsOf === dataId;
  }

  /** Records that the staged weights of variable `index` are now those of the tfjs data `dataId`. */
  weightsAre(index: number, dataId: object): void {
    const region = this.regions.get(index);
    if (region) region.weightsOf = dataId;
  }

  /**
   * One step of variable `index` (its moments loaded), from `value` or, when null, from the weights
   * staged by the last step (holdsWeightsOf). Returns the new weights as a fresh array, never a view
   * of the staging memory (tfjs-node keeps the array a tensor is made from, uncopied, until an op
   * first reads it, and the next update overwrites the staging memory).
   */
  update(index: number, value: Float32Array | null, grad: Float32Array, c: AdamConstants): Float32Array {
    const region = this.regions.get(index);
    if (!region || grad.length !== region.n || (value ? value.length !== region.n : region.weightsOf === null))
      throw new Error(`staged Adam: variable ${index} is not loaded at ${grad.length} floats`);
    const atGrad = this.top;
    this.reserve(atGrad + aligned(region.n));
    const heap = this.floats();
    if (value) heap.set(value, region.w);
    region.weightsOf = null; // until the caller says which tfjs data the new weights became
    heap.set(grad, atGrad);
    // In place: the kernel reads every lane of value, m and v before it stores that lane.
    this.adam(4 * region.w, 4 * atGrad, 4 * region.m, 4 * region.v, 4 * region.w, 4 * region.m, 4 * region.v, region.n, ...adamConstantArgs(c));
    return heap.slice(region.w, region.w + region.n);
  }

  /**
   * Grows the memory for a step over variables of these sizes (by index), before any of them is
   * touched; throws (RangeError) beyond wasm32's 4 GiB or when memory runs out.
   */
  reserveFor(sizes: number[]): void {
    let top = this.top;
    let largest = 0;
    sizes.forEach((n, index) => {
      if (!this.has(index, n)) top += 3 * aligned(n);
      largest = Math.max(largest, aligned(n));
    });
    this.reserve(top + largest);
  }

  /** Copies of variable `index`'s moments [m, v], or null when they are not here. */
  moments(index: number): [Float32Array, Float32Array] | null {
    const region = this.regions.get(index);
    if (!region) return null;
    const heap = this.floats();
    return [heap.slice(region.m, region.m + region.n), heap.slice(region.v, region.v + region.n)];
  }

  /** The indices whose moments are here. */
  indices(): number[] {
    return [...this.regions.keys()];
  }

  /** Forgets every moment (setWeights replaced them; the next step loads them again). */
  clear(): void {
    this.regions.clear();
    this.top = 0;
  }

  private floats(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  /** Grows the memory to hold `floats` floats; throws beyond wasm32's 4 GiB (see reserveFor). */
  private reserve(floats: number): void {
    const missing = Math.ceil((4 * floats) / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (missing > 0) this.memory.grow(missing);
  }
}
