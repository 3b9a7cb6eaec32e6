/**
 * Patch kernels (im2col and its adjoint col2im) for the wasm and cpu backends.
 *
 * Why: the wasm backend has no Conv2DBackpropFilter and its Conv2DBackpropInput runs at a tenth of
 * its matMul's speed, and building im2col from tf.slice/tf.concat costs rank-6 slices that wasm runs
 * element by element (seconds per step). A gather straight over the wasm heap (kernels.wat, or the
 * JavaScript loops below where that module is unavailable) takes a millisecond or two, so every
 * convolution gradient becomes one of these kernels plus plain matMuls (the fast XNNPACK path).
 *
 * Layout (NHWC, SAME-style geometry given explicitly): the patch of output position (b, oy, ox) and
 * tap (ky, kx) reads x[b, oy·s + ky − padTop, ox·s + kx − padLeft, c] (zero outside the image).
 * - Im2Col:  x [B, H, W, C] → [B·outH·outW, k·k·C], columns ordered (ky, kx, c) like
 *            filter.reshape([k·k·C, outC]).
 * - Im2ColT: the same matrix transposed, [k·k·C, B·outH·outW], for weight gradients: wasm's matMul
 *            packs its second operand on every call, so the big patch matrix must come first,
 *            untransposed (transposeA is slow on wasm, and so is a separate transpose).
 * - Col2Im:  the adjoint of Im2Col: [B·outH·outW, k·k·C] → [B, H, W, C], summing overlapping taps.
 * Gradients: d Im2Col = Col2Im(dy) and d Col2Im = Im2Col(dy) (each is the other's transpose).
 * Im2ColT is only used inside gradients and has no gradient of its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapKernels, type CpuBackendLike, type WasmBackendLike } from './heap';

export const IM2COL = 'LatentscapeIm2Col';
export const IM2COL_T = 'LatentscapeIm2ColT';
export const COL2IM = 'LatentscapeCol2Im';

/** Where the patches of a convolution come from: image size, kernel, stride, padding, patch grid. */
export interface PatchGeometry {
  kernel: number;
  stride: number;
  padTop: number;
  padLeft: number;
  /** The image side (the input of a convolution, the output of a transposed convolution). */
  height: number;
  width: number;
  /** The patch grid (the output of a convolution, the input of a transposed convolution). */
  outHeight: number;
  outWidth: number;
}

/** TensorFlow's SAME padding: out = ceil(size / stride), the extra row/column goes after. */
export function sameGeometry(height: number, width: number, kernel: number, stride: number): PatchGeometry {
  const outHeight = Math.ceil(height / stride);
  const outWidth = Math.ceil(width / stride);
  const padH = Math.max((outHeight - 1) * stride + kernel - height, 0);
  const padW = Math.max((outWidth - 1) * stride + kernel - width, 0);
  return { kernel, stride, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2), height, width, outHeight, outWidth };
}

// ---- the loops on plain Float32Arrays: the reference, the cpu kernels, and wasm's fallback ----

/** dst[row, (ky, kx, c)] = x[...]; dst must have B·outH·outW·k·k·C elements. */
export function im2colInto(src: Float32Array, dst: Float32Array, batch: number, channels: number, g: PatchGeometry): void {
  const { kernel: k, stride: s, padTop, padLeft, height: H, width: W, outHeight: oh, outWidth: ow } = g;
  const C = channels;
  let d = 0;
  for (let b = 0; b < batch; b++) {
    const imageBase = b * H * W * C;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * s + ky - padTop;
          const rowInside = iy >= 0 && iy < H;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * s + kx - padLeft;
            if (rowInside && ix >= 0 && ix < W) {
              let p = imageBase + (iy * W + ix) * C;
              for (let c = 0; c < C; c++) dst[d++] = src[p++];
            } else {
              for (let c = 0; c < C; c++) dst[d++] = 0;
            }
          }
        }
      }
    }
  }
}

/** dst[(ky, kx, c), row] = x[...]: Im2Col transposed. */
export function im2colTInto(src: Float32Array, dst: Float32Array, batch: number, channels: number, g: PatchGeometry): void {
  const { kernel: k, stride: s, padTop, padLeft, height: H, width: W, outHeight: oh, outWidth: ow } = g;
  const C = channels;
  const rows = batch * oh * ow;
  let row = 0;
  for (let b = 0; b < batch; b++) {
    const imageBase = b * H * W * C;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row++) {
        let d = row;
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * s + ky - padTop;
          const rowInside = iy >= 0 && iy < H;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * s + kx - padLeft;
            if (rowInside && ix >= 0 && ix < W) {
              let p = imageBase + (iy * W + ix) * C;
              for (let c = 0; c < C; c++, d += rows) dst[d] = src[p++];
            } else {
              for (let c = 0; c < C; c++, d += rows) dst[d] = 0;
            }
          }
        }
      }
    }
  }
}

/** dst[b, y, x, c] = Σ over the taps that read (y, x) of cols[row, (ky, kx, c)]. dst is overwritten. */
export function col2imInto(cols: Float32Array, dst: Float32Array, batch: number, channels: number, g: PatchGeometry): void {
  const { kernel: k, stride: s, padTop, padLeft, height: H, width: W, outHeight: oh, outWidth: ow } = g;
  const C = channels;
  dst.fill(0);
  let r = 0;
  for (let b = 0; b < batch; b++) {
    const imageBase = b * H * W * C;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * s + ky - padTop;
          const rowInside = iy >= 0 && iy < H;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * s + kx - padLeft;
            if (rowInside && ix >= 0 && ix < W) {
              let p = imageBase + (iy * W + ix) * C;
              for (let c = 0; c < C; c++) dst[p++] += cols[r++];
            } else {
              r += C;
            }
          }
        }
      }
    }
  }
}

// ---- kernels ----

type Attrs = PatchGeometry & { channels: number; batch: number };

function attrsOf(a: tf.NamedAttrMap): Attrs {
  return a as unknown as Attrs;
}

type Loop = (src: Float32Array, dst: Float32Array, batch: number, channels: number, g: PatchGeometry) => void;

interface PatchKernel {
  name: string;
  outShape: (a: Attrs) => number[];
  loop: Loop;
  heap: 'im2col' | 'im2colT' | 'col2im';
}

const PATCH_KERNELS: PatchKernel[] = [
  { name: IM2COL, outShape: (a) => [a.batch * a.outHeight * a.outWidth, a.kernel * a.kernel * a.channels], loop: im2colInto, heap: 'im2col' },
  { name: IM2COL_T, outShape: (a) => [a.kernel * a.kernel * a.channels, a.batch * a.outHeight * a.outWidth], loop: im2colTInto, heap: 'im2colT' },
  { name: COL2IM, outShape: (a) => [a.batch, a.height, a.width, a.channels], loop: col2imInto, heap: 'col2im' },
];

function wasmKernel(k: PatchKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const a = attrsOf(attrs ?? {});
    const x = inputs.x as tf.TensorInfo;
    // Allocate before taking views or offsets: a heap that grows detaches older views.
    const out = wasm.makeOutput(k.outShape(a), 'float32');
    const heap = heapKernels(backend);
    if (heap) {
      // im2colT has a SIMD form for channel counts that are a multiple of 4 (the same output).
      const call = k.heap === 'im2colT' && a.channels % 4 === 0 ? heap.im2colT4 : heap[k.heap];
      call(heap.offset(x), heap.offset(out), a.batch, a.channels, a.kernel, a.stride, a.padTop, a.padLeft, a.height, a.width, a.outHeight, a.outWidth);
    } else {
      k.loop(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out), a.batch, a.channels, a);
    }
    return out;
  };
}

function cpuKernel(k: PatchKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const a = attrsOf(attrs ?? {});
    const shape = k.outShape(a);
    const values = new Float32Array(shape.reduce((p, q) => p * q, 1));
    k.loop(cpu.data.get((inputs.x as tf.TensorInfo).dataId).values, values, a.batch, a.channels, a);
    return cpu.makeTensorInfo(shape, 'float32', values);
  };
}

let registered = false;

/** Registers the patch kernels for wasm and cpu (idempotent). tensorflow never needs them. */
export function registerPatchKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of PATCH_KERNELS) {
    if (!tf.getKernel(k.name, 'wasm')) tf.registerKernel({ kernelName: k.name, backendName: 'wasm', kernelFunc: wasmKernel(k) });
    if (!tf.getKernel(k.name, 'cpu')) tf.registerKernel({ kernelName: k.name, backendName: 'cpu', kernelFunc: cpuKernel(k) });
  }
  if (!tf.getGradient(IM2COL)) {
    tf.registerGradient({
      kernelName: IM2COL,
      gradFunc: (dy, _saved, attrs) => ({ x: () => runPatchKernel(COL2IM, dy as tf.Tensor, attrsOf(attrs)) }),
    });
  }
  if (!tf.getGradient(COL2IM)) {
    tf.registerGradient({
      kernelName: COL2IM,
      gradFunc: (dy, _saved, attrs) => ({ x: () => runPatchKernel(IM2COL, dy as tf.Tensor, attrsOf(attrs)) }),
    });
  }
}

function runPatchKernel(name: string, x: tf.Tensor, attrs: Attrs): tf.Tensor {
  registerPatchKernels();
  if (x.dtype !== 'float32') throw new Error(`${name} needs float32, got ${x.dtype}`);
  return tf.engine().runKernel(name, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function geometryAttrs(g: PatchGeometry, batch: number, channels: number): Attrs {
  return { ...g, batch, channels };
}

/** x [B, H, W, C] → patches [B·outH·outW, k·k·C]. Differentiable (its gradient is col2im). */
export function im2col(x: tf.Tensor4D, g: PatchGeometry): tf.Tensor2D {
  const [batch, height, width, channels] = x.shape;
  if (height !== g.height || width !== g.width) throw new Error(`im2col: image is ${height}×${width}, geometry says ${g.height}×${g.width}`);
  return runPatchKernel(IM2COL, x, geometryAttrs(g, batch, channels)) as tf.Tensor2D;
}

/** x [B, H, W, C] → patches transposed [k·k·C, B·outH·outW]. Not differentiable (used in gradients). */
export function im2colT(x: tf.Tensor4D, g: PatchGeometry): tf.Tensor2D {
  const [batch, height, width, channels] = x.shape;
  if (height !== g.height || width !== g.width) throw new Error(`im2colT: image is ${height}×${width}, geometry says ${g.height}×${g.width}`);
  return runPatchKernel(IM2COL_T, x, geometryAttrs(g, batch, channels)) as tf.Tensor2D;
}

/** cols [B·outH·outW, k·k·C] → image [B, H, W, C], the adjoint of im2col. Differentiable. */
export function col2im(cols: tf.Tensor2D, g: PatchGeometry, channels: number): tf.Tensor4D {
  const rows = cols.shape[0];
  const batch = rows / (g.outHeight * g.outWidth);
  if (!Number.isInteger(batch) || cols.shape[1] !== g.kernel * g.kernel * channels) {
    throw new Error(`col2im: [${cols.shape}] does not match the geometry (${g.outHeight}×${g.outWidth} patches of ${g.kernel}×${g.kernel}×${channels})`);
  }
  return runPatchKernel(COL2IM, cols, geometryAttrs(g, batch, channels)) as tf.Tensor4D;
}
