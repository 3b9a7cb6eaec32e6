/**
 * The few layer ops the VAE needs, written so every backend can train them fast.
 *
 * Each op has two paths, chosen per call by `mode` ('auto' picks by backend):
 * - plain (tensorflow, cpu): tfjs's own ops and gradients: tf.matMul, tf.conv2d, tf.conv2dTranspose
 *   plus tf.add(bias) and tf.relu, exactly as a Keras-style layer would write them; only the ReLU's
 *   gradient is computed in fewer kernels (reluSignGradient, the same numbers).
 * - custom (wasm): one tf.customGrad op per layer, because the wasm backend
 *   - runs matMul with transposeA/transposeB ~10× slower than the plain matMul (XNNPACK), and
 *     tfjs's matMul gradient uses those forms: here dx = dy·transpose(W), dW = transpose(x)·dy;
 *   - has no Conv2DBackpropFilter, and its Conv2DBackpropInput is ~10× slower than its conv2d:
 *     here the forward conv is XNNPACK's (FusedConv2D, bias and ReLU fused in), and the
 *     gradients are one plain matMul each against patches gathered by the im2col/col2im kernels
 *     of ../kernels/patches (see there);
 *   - pays per kernel launched: bias and ReLU are fused into the forward matMul/conv, the backward
 *     ReLU mask and bias sum are one kernel each (../kernels/bias-grad), and a layer whose input
 *     is data (`inputGradient: false`) skips computing a gradient nobody reads.
 * Both paths compute the same function; the custom gradients are checked against tf.grad on the cpu
 * backend in test/unit/engine/model/ops.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { shareIdentityOnWasm } from '../kernels/identity';
import { columnSum, hasNativeReluGrad, reluGrad } from '../kernels/bias-grad';
import { filterGradient } from '../kernels/filter-grad';
import { col2im, registerPatchKernels, sameGeometry } from '../kernels/patches';
import { denseInPlace, inPlaceIsFaster, product, type Activation } from '../kernels/matmul';
import { transpose2d } from '../kernels/transpose';

export type OpMode = 'auto' | 'plain' | 'custom';
export type { Activation };

export interface LayerOptions {
  activation?: Activation;
  /** false when the input is data: the custom path then returns no gradient for it. */
  inputGradient?: boolean;
  mode?: OpMode;
}

function useCustom(mode: OpMode = 'auto'): boolean {
  const custom = mode === 'custom' || (mode === 'auto' && tf.getBackend() === 'wasm');
  if (custom) {
    registerPatchKernels();
    shareIdentityOnWasm();
  }
  return custom;
}

function optionsOf(o: LayerOptions | OpMode | undefined): Required<LayerOptions> {
  const opts = typeof o === 'string' ? { mode: o } : (o ?? {});
  return { activation: opts.activation ?? 'linear', inputGradient: opts.inputGradient ?? true, mode: opts.mode ?? 'auto' };
}

/** relu'(pre-activation) = step(output): the same mask tfjs's own Relu gradient uses (one kernel, ../kernels/bias-grad). */
function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: Activation): tf.Tensor {
  return activation === 'relu' ? reluGrad(dy, y) : dy;
}

function activate<T extends tf.Tensor>(t: T, activation: Activation): T {
  return activation === 'relu' ? tf.relu(t) : t;
}

// The customGrad typings do not model a leading-tensors-then-save signature; these casts do.
type CustomGradBody = Parameters<typeof tf.customGrad>[0];

/**
 * tf.relu whose gradient is dy·sign(y), y = relu(x): the numbers of tfjs's own dy·step(x), since y is 0
 * where x ≤ 0 and positive where x > 0, in two kernels. (Only a NaN input differs: step gives NaN, this
 * gradient 0 on cpu and wasm and through TensorFlow's ReluGrad; a NaN activation has already made the loss
 * NaN, which stops training.) tfjs-node builds Step from six kernels (isNaN, greater, ones, fill and two selects, each
 * a full-size tensor): with the Cast and Multiply around it, tfjs's ReLU gradient was a fifth to a
 * third of a native conv training step at batch 128 (docs/PERFORMANCE.md). On native TensorFlow the two
 * kernels are one, TensorFlow's ReluGrad (kernels/bias-grad.ts), with the same floats.
 */
export function reluSignGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.relu(xi);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, [ys]: tf.Tensor[]) => (hasNativeReluGrad() ? reluGrad(dy, ys) : tf.mul(dy, tf.sign(ys))) };
  }) as unknown as CustomGradBody) as unknown as (x: T) => T;
  return op(x);
}

/** The plain path's activation: taped, so its gradient is the cheap one above. */
function activateTaped<T extends tf.Tensor>(t: T, activation: Activation): T {
  return activation === 'relu' ? reluSignGradient(t) : t;
}

// tf.fused.* falls back to separate kernels while a gradient tape records (the forward pass of
// training), so the custom ops call the fused kernels themselves: inside customGrad nothing is taped.
function fusedMatMul(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  const [m, k] = x.shape;
  const n = w.shape[1];
  if (inPlaceIsFaster(m, n)) return denseInPlace(x, w, b, activation); // no packing of W (../kernels/matmul)
  const a3 = tf.reshape(x, [1, m, k]);
  const b3 = tf.reshape(w, [1, k, n]);
  const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 };
  const y = tf.engine().runKernel('_FusedMatMul', { a: a3, b: b3, bias: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  return tf.reshape(y, [m, n]);
}

function fusedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, activation: Activation): tf.Tensor4D {
  const attrs = { strides: [stride, stride], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], activation, leakyreluAlpha: 0 };
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

// ---- dense ----

function denseCustom(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation, inputGradient: boolean): tf.Tensor2D {
  const forward = (xi: tf.Tensor2D, wi: tf.Tensor2D, bi: tf.Tensor1D): tf.Tensor2D => fusedMatMul(xi, wi, bi, activation);
  // dW = xᵀ·dy and dx = dy·Wᵀ as plain matMuls (see the top of this file). XNNPACK packs a matMul's
  // second operand on every call, and packing a big fresh operand costs more than the product
  // itself, so each product is taken in whichever order puts the smaller matrix second:
  // dW = (dyᵀ·x)ᵀ when the output is wider than the input (the decoder's first layer), and
  // dx = (W·dyᵀ)ᵀ when the batch is smaller than the input (the encoder's heads).
  const grads = (dy: tf.Tensor, y: tf.Tensor, xs: tf.Tensor2D, ws: tf.Tensor2D, withInput: boolean): tf.Tensor[] => {
    const g = activationGrad(dy, y, activation) as tf.Tensor2D;
    const [batch, inDim] = xs.shape;
    const outDim = ws.shape[1];
    const dw = outDim > inDim ? transpose2d(product(transpose2d(g), xs)) : product(transpose2d(xs), g);
    const db = columnSum(g);
    if (!withInput) return [dw, db];
    const dx = batch < inDim ? transpose2d(product(ws, transpose2d(g))) : product(g, transpose2d(ws));
    return [dx, dw, db];
  };
  if (inputGradient) {
    const op = tf.customGrad(((xi: tf.Tensor2D, wi: tf.Tensor2D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
      const value = forward(xi, wi, bi);
      save([xi, wi, value]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          return grads(dy, y, xs, ws, true);
        },
      };
    }) as unknown as CustomGradBody) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
    return op(x, w, b);
  }
  // The input is data: it stays outside the op (no gradient is computed for it). It is still saved:
  // tfjs disposes the forward pass's intermediates before the backward pass runs.
  const op = tf.customGrad(((wi: tf.Tensor2D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const value = forward(x, wi, bi);
    save([x, wi, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        return grads(dy, y, xs, ws, false);
      },
    };
  }) as unknown as CustomGradBody) as unknown as (w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
  return op(w, b);
}

/** act(x·W + b). */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, options?: LayerOptions | OpMode): tf.Tensor2D {
  const o = optionsOf(options);
  if (useCustom(o.mode)) return denseCustom(x, w, b, o.activation, o.inputGradient);
  // Tidy: outside a caller's tidy, the product before the bias would be left behind.
  return tf.tidy(() => activateTaped(tf.add(tf.matMul(x, w), b), o.activation));
}

// ---- conv2d (SAME padding, NHWC, filter [k, k, inC, outC]) ----

function conv2dCustom(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, activation: Activation, inputGradient: boolean): tf.Tensor4D {
  const [, height, width, inC] = x.shape;
  const [k, , , outC] = filter.shape;
  const g = sameGeometry(height, width, k, stride);
  const forward = (xi: tf.Tensor4D, fi: tf.Tensor4D, bi: tf.Tensor1D): tf.Tensor4D => fusedConv2d(xi, fi, bi, stride, activation);
  // dFilter = patchesᵀ·dy (the patches gathered already transposed: see patches.ts);
  // dx = col2im(dy·Wᵀ), with W the filter as a [k·k·inC, outC] matrix.
  const grads = (dy: tf.Tensor, y: tf.Tensor, xs: tf.Tensor4D, fs: tf.Tensor4D, withInput: boolean): tf.Tensor[] => {
    const gy = activationGrad(dy, y, activation);
    const g2 = tf.reshape(gy, [-1, outC]) as tf.Tensor2D;
    const dFilter = tf.reshape(filterGradient(xs, g2, g), fs.shape);
    const dBias = columnSum(g2);
    if (!withInput) return [dFilter, dBias];
    const wT = transpose2d(tf.reshape(fs, [k * k * inC, outC]));
    const dx = col2im(tf.matMul(g2, wT), g, inC);
    return [dx, dFilter, dBias];
  };
  if (inputGradient) {
    const op = tf.customGrad(((xi: tf.Tensor4D, fi: tf.Tensor4D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
      const value = forward(xi, fi, bi);
      save([xi, fi, value]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, fs, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
          return grads(dy, y, xs, fs, true);
        },
      };
    }) as unknown as CustomGradBody) as unknown as (x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;
    return op(x, filter, bias);
  }
  // The input is data: outside the op, but saved (see denseCustom).
  const op = tf.customGrad(((fi: tf.Tensor4D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const value = forward(x, fi, bi);
    save([x, fi, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, fs, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        return grads(dy, y, xs, fs, false);
      },
    };
  }) as unknown as CustomGradBody) as unknown as (f: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;
  return op(filter, bias);
}

/** act(conv2d(x, filter, stride, SAME) + bias). */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, options?: LayerOptions | OpMode): tf.Tensor4D {
  const o = optionsOf(options);
  if (useCustom(o.mode)) return conv2dCustom(x, filter, bias, stride, o.activation, o.inputGradient);
  return tf.tidy(() => activateTaped(tf.add(tf.conv2d(x, filter, stride, 'same'), bias), o.activation));
}

// ---- conv2dTranspose (SAME, output = input · stride, filter [k, k, outC, inC] as in tf.conv2dTranspose) ----

function conv2dTransposeCustom(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, activation: Activation): tf.Tensor4D {
  const [, height, width, inC] = x.shape;
  const [k, , outC] = filter.shape;
  // The transposed convolution is the adjoint of the stride-s convolution from the big image to x.
  const g = sameGeometry(height * stride, width * stride, k, stride);
  const op = tf.customGrad(((xi: tf.Tensor4D, fi: tf.Tensor4D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
    // y = col2im(x·Fᵀ) + b, with F the filter as a [k·k·outC, inC] matrix.
    const x2 = tf.reshape(xi, [-1, inC]) as tf.Tensor2D;
    const fT = transpose2d(tf.reshape(fi, [k * k * outC, inC]));
    const value = activate(tf.add(col2im(tf.matMul(x2, fT), g, outC), bi), activation);
    save([xi, fi, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, fs, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const gy = activationGrad(dy, y, activation) as tf.Tensor4D;
        // dx = conv2d(dy, filter) (XNNPACK); dFilter = im2col(dy)ᵀ·x, already in [k, k, outC, inC] order.
        const dx = tf.conv2d(gy, fs, stride, 'same');
        const dFilter = tf.reshape(filterGradient(gy, tf.reshape(xs, [-1, inC]) as tf.Tensor2D, g), fs.shape);
        const dBias = columnSum(gy);
        return [dx, dFilter, dBias];
      },
    };
  }) as unknown as CustomGradBody) as unknown as (x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;
  return op(x, filter, bias);
}

/** act(conv2dTranspose(x, filter, stride, SAME) + bias): [B, H, W, inC] → [B, H·s, W·s, outC]. */
export function conv2dTranspose(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, options?: LayerOptions | OpMode): tf.Tensor4D {
  const o = optionsOf(options);
  if (useCustom(o.mode)) return conv2dTransposeCustom(x, filter, bias, stride, o.activation);
  const [batch, height, width] = x.shape;
  const outShape: [number, number, number, number] = [batch, height * stride, width * stride, filter.shape[2]];
  return tf.tidy(() => activateTaped(tf.add(tf.conv2dTranspose(x, filter, outShape, stride, 'same'), bias), o.activation));
}
