/**
 * Matrix products that read both operands in place, as kernels on wasm and cpu.
 *
 * Why: XNNPACK (tfjs's wasm matMul) first packs the second operand into its own layout, on every
 * call for a tensor it has not seen. In a training step every operand is new (weights change each
 * step), and for the long-K products (filter gradients, whose K is batch × positions, and the encoder
 * heads, K = 4,096) and the wide ones (the decoder's first layer, N = 4,096), packing a 131k–262k-float
 * operand costs 0.4–0.9 ms, more than the arithmetic. kernels.wat's `matmul` skips the packing. Where
 * XNNPACK's products are cheaper (short K and a small second operand) the callers keep tf.matMul.
 * No gradient: these run inside custom gradients and custom ops (model/ops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fmaf32 } from './fma';
import { heapKernels, kernelsFuse } from './heap';
import { checkFloat, registerSpecKernels, type KernelSpec } from './spec-kernels';

export type Activation = 'linear' | 'relu';

const NAMES = {
  plain: 'LatentscapeMatMulInPlace',
  linear: 'LatentscapeDenseInPlace',
  relu: 'LatentscapeDenseReluInPlace',
} as const;

/**
 * c = act(a·b + bias) in float32, each sum starting at the bias (or 0) and running over k in order:
 * the floats kernels.wat computes. `fused`: each multiply-add rounds once, as the relaxed build's do
 * (heap.ts) in its 8- and 4-column blocks; its last n mod 4 columns run on scalar floats, unfused.
 */
export function matmulInto(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  relu: boolean,
  fused = kernelsFuse(),
): void {
  const fusedColumns = fused ? n & ~3 : 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      if (j < fusedColumns) for (let q = 0; q < k; q++) sum = fmaf32(a[i * k + q], b[q * n + j], sum);
      else for (let q = 0; q < k; q++) sum = Math.fround(sum + Math.fround(a[i * k + q] * b[q * n + j]));
      c[i * n + j] = relu ? Math.max(sum, 0) : sum;
    }
}

function spec(name: string, withBias: boolean, relu: boolean): KernelSpec {
  const flags = (withBias ? 1 : 0) | (relu ? 2 : 0);
  return {
    name,
    inputs: withBias ? ['a', 'b', 'bias'] : ['a', 'b'],
    outShape: (a, [, b]) => [a.shape[0], b.shape[1]],
    heap: (h, [a, b, bias], out, x, [, bt]) => h.matmul(a, b, withBias ? bias : 0, out, x.shape[0], x.shape[1], bt.shape[1], flags),
    loop: ([a, b, bias], out, x, [, bt]) => matmulInto(a, b, withBias ? bias : null, out, x.shape[0], x.shape[1], bt.shape[1], relu),
  };
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerSpecKernels([spec(NAMES.plain, false, false), spec(NAMES.linear, true, false), spec(NAMES.relu, true, true)]);
}

function checkShapes(name: string, a: tf.Tensor2D, b: tf.Tensor2D): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) throw new Error(`${name} needs [m, k] and [k, n] matrices, got [${a.shape}] and [${b.shape}]`);
}

/** a·b for [m, k] and [k, n] matrices, without packing either (see above). */
export function matMulInPlace(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  register();
  checkFloat(NAMES.plain, a, b);
  checkShapes(NAMES.plain, a, b);
  return tf.engine().runKernel(NAMES.plain, { a, b }, {}) as tf.Tensor2D;
}

/** act(a·b + bias), bias of length n: a dense layer's forward pass in one kernel, without packing. */
export function denseInPlace(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  register();
  const name = NAMES[activation];
  checkFloat(name, a, b, bias);
  checkShapes(name, a, b);
  if (bias.rank !== 1 || bias.shape[0] !== b.shape[1]) throw new Error(`${name} needs a bias of length ${b.shape[1]}, got [${bias.shape}]`);
  return tf.engine().runKernel(name, { a, b, bias }, {}) as tf.Tensor2D;
}

/**
 * Whether a·b runs faster in place than through XNNPACK, for an [m, k]·[k, n] product on the current
 * backend. Measured on the shapes of a training step (numbers in docs/ARCHITECTURE.md): with
 * few rows (m ≤ 64) packing the second operand costs more than the in-place loop loses to XNNPACK's
 * microkernels; with more rows, or fewer than 8 columns (no whole SIMD block), XNNPACK wins. With
 * fused multiply-adds (heap.ts's relaxed build) the in-place loop wins at every row count: XNNPACK's
 * wasm build multiplies and adds separately (docs/PERFORMANCE.md, the MLP's products).
 */
export function inPlaceIsFaster(m: number, n: number): boolean {
  return (m <= 64 || kernelsFuse()) && n >= 8 && tf.getBackend() === 'wasm' && heapKernels(tf.backend()) !== null;
}

/** a·b by whichever of matMulInPlace and tf.matMul is faster for its shape (see inPlaceIsFaster). */
export function product(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return inPlaceIsFaster(a.shape[0], b.shape[1]) ? matMulInPlace(a, b) : tf.matMul(a, b);
}
