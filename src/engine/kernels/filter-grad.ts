/**
 * A convolution's filter gradient, im2colT(x)·dy, as one kernel that never builds the patch matrix.
 *
 * Why: for the conv VAE's 32-channel layers the patch matrix is 288 × 2,048 floats (2.4 MB): writing
 * it, reading it back, and XNNPACK packing dy (../kernels/matmul.ts) cost more than the products.
 * kernels.wat's `filterGrad4` reads x and dy where they are. It needs a channel count that is a
 * multiple of 4 and a dy width that is a multiple of 8; `filterGradient` takes the patch-matrix path
 * otherwise. No gradient: it is only used inside custom gradients (model/ops.ts).
 *
 * out[(ky, kx, c), n] = Σ_(b, oy, ox) x[b, oy·s + ky − padTop, ox·s + kx − padLeft, c] · dy[(b, oy, ox), n],
 * over the positions that read inside the image, in that order (the floats kernels.wat computes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fmaf32 } from './fma';
import { heapKernels, kernelsFuse, type CpuBackendLike, type WasmBackendLike } from './heap';
import { product } from './matmul';
import { im2colT, registerPatchKernels, type PatchGeometry } from './patches';

export const FILTER_GRAD = 'LatentscapeFilterGrad';

type Attrs = PatchGeometry & { channels: number; batch: number; columns: number };

/**
 * The reference loop: the cpu kernel, and the check of the wasm one. `fused`: each multiply-add
 * rounds once, as in heap.ts's relaxed build.
 */
export function filterGradInto(x: Float32Array, dy: Float32Array, out: Float32Array, a: Attrs, fused = kernelsFuse()): void {
  const { kernel: k, stride: s, padTop, padLeft, height: H, width: W, outHeight: oh, outWidth: ow, channels: C, batch, columns: N } = a;
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let c = 0; c < C; c++)
        for (let n = 0; n < N; n++) {
          let sum = 0;
          for (let b = 0; b < batch; b++)
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * s + ky - padTop;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox * s + kx - padLeft;
                if (ix < 0 || ix >= W) continue;
                const xv = x[((b * H + iy) * W + ix) * C + c];
                const g = dy[((b * oh + oy) * ow + ox) * N + n];
                sum = fused ? fmaf32(xv, g, sum) : Math.fround(sum + Math.fround(xv * g));
              }
            }
          out[((ky * k + kx) * C + c) * N + n] = sum;
        }
}

const outShape = (a: Attrs): number[] => [a.kernel * a.kernel * a.channels, a.columns];

function wasmKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = backend as unknown as WasmBackendLike;
  const a = attrs as unknown as Attrs;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  // Allocate before taking views or offsets: a heap that grows detaches older views.
  const out = wasm.makeOutput(outShape(a), 'float32');
  const heap = heapKernels(backend);
  if (heap && a.channels % 4 === 0 && a.columns % 8 === 0) {
    const o = heap.offset;
    heap.filterGrad4(o(x), o(dy), o(out), a.batch, a.channels, a.kernel, a.stride, a.padTop, a.padLeft, a.height, a.width, a.outHeight, a.outWidth, a.columns);
  } else {
    filterGradInto(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(out), a);
  }
  return out;
}

function cpuKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const cpu = backend as unknown as CpuBackendLike;
  const a = attrs as unknown as Attrs;
  const shape = outShape(a);
  const out = new Float32Array(shape[0] * shape[1]);
  filterGradInto(cpu.data.get((inputs.x as tf.TensorInfo).dataId).values, cpu.data.get((inputs.dy as tf.TensorInfo).dataId).values, out, a);
  return cpu.makeTensorInfo(shape, 'float32', out);
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(FILTER_GRAD, 'wasm')) tf.registerKernel({ kernelName: FILTER_GRAD, backendName: 'wasm', kernelFunc: wasmKernel as tf.KernelFunc });
  if (!tf.getKernel(FILTER_GRAD, 'cpu')) tf.registerKernel({ kernelName: FILTER_GRAD, backendName: 'cpu', kernelFunc: cpuKernel as tf.KernelFunc });
}

function checkInputs(x: tf.Tensor4D, dy: tf.Tensor2D, g: PatchGeometry): void {
  const [batch, height, width] = x.shape;
  if (height !== g.height || width !== g.width) throw new Error(`${FILTER_GRAD}: image is ${height}×${width}, geometry says ${g.height}×${g.width}`);
  if (dy.rank !== 2 || dy.shape[0] !== batch * g.outHeight * g.outWidth)
    throw new Error(`${FILTER_GRAD}: dy [${dy.shape}] does not match ${batch} images of ${g.outHeight}×${g.outWidth} positions`);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${FILTER_GRAD} needs float32`);
}

/** The kernel itself, on any backend (tests compare it with the patch-matrix product). */
export function filterGradKernel(x: tf.Tensor4D, dy: tf.Tensor2D, g: PatchGeometry): tf.Tensor2D {
  register();
  checkInputs(x, dy, g);
  const attrs: Attrs = { ...g, batch: x.shape[0], channels: x.shape[3], columns: dy.shape[1] };
  return tf.engine().runKernel(FILTER_GRAD, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * im2colT(x, g)·dy, [k·k·C, n]: by the kernel above where kernels.wat runs it (wasm, C % 4 == 0,
 * n % 8 == 0), else through the patch matrix.
 */
export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor2D, g: PatchGeometry): tf.Tensor2D {
  const direct = tf.getBackend() === 'wasm' && x.shape[3] % 4 === 0 && dy.shape[1] % 8 === 0 && heapKernels(tf.backend()) !== null;
  if (direct) return filterGradKernel(x, dy, g);
  registerPatchKernels();
  // Tidy: called outside a gradient's scope, the patch matrix would outlive the product.
  return tf.tidy(() => product(im2colT(x, g), dy));
}
