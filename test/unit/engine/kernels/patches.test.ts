import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  col2im,
  col2imInto,
  im2col,
  im2colInto,
  im2colT,
  im2colTInto,
  registerPatchKernels,
  sameGeometry,
  type PatchGeometry,
} from '../../../../src/engine/kernels/patches';
import { heapKernels } from '../../../../src/engine/kernels/heap';
import { normalStream, quietly } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/patches',
  () => {
    beforeAll(async () => {
      registerPatchKernels();
    });

    function randomArray(n: number, seed: number): Float32Array {
      const next = normalStream(seed);
      return Float32Array.from({ length: n }, () => next());
    }

    /** The definition, one element at a time. */
    function naiveIm2col(x: Float32Array, batch: number, channels: number, g: PatchGeometry): Float32Array {
      const { kernel: k, stride: s, height: H, width: W, outHeight: oh, outWidth: ow } = g;
      const out = new Float32Array(batch * oh * ow * k * k * channels);
      let i = 0;
      for (let b = 0; b < batch; b++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++)
                for (let c = 0; c < channels; c++) {
                  const iy = oy * s + ky - g.padTop;
                  const ix = ox * s + kx - g.padLeft;
                  out[i++] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((b * H + iy) * W + ix) * channels + c] : 0;
                }
      return out;
    }

    function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
      let num = 0;
      let den = 0;
      for (let i = 0; i < want.length; i++) {
        num = Math.max(num, Math.abs(got[i] - want[i]));
        den = Math.max(den, Math.abs(want[i]));
      }
      return num / Math.max(den, 1e-12);
    }

    const CASES: Array<[string, number, number, number, number, number]> = [
      // name, batch, size, channels, kernel, stride
      ['stride 2, 1 channel, odd image', 2, 7, 1, 3, 2],
      ['stride 2, 3 channels', 2, 8, 3, 3, 2],
      ['stride 1, 4 channels', 1, 5, 4, 3, 1],
      ['stride 2, 5×5 kernel', 1, 9, 2, 5, 2],
      // channel counts that are a multiple of 4 take im2colT's SIMD form: whole 4-column blocks, edges, padding
      ['stride 2, 32 channels (the conv VAE)', 2, 16, 32, 3, 2],
      ['stride 1, 8 channels, 11 wide', 1, 11, 8, 3, 1],
      ['stride 2, 4 channels, 5×5 kernel, padding on every side', 2, 13, 4, 5, 2],
    ];

    describe('patch loops', () => {
      it.each(CASES)('%s: im2col, im2colT match the definition; col2im is its adjoint', (_name, batch, size, channels, kernel, stride) => {
        const g = sameGeometry(size, size, kernel, stride);
        const x = randomArray(batch * size * size * channels, 1);
        const want = naiveIm2col(x, batch, channels, g);
        const rows = batch * g.outHeight * g.outWidth;
        const cols = kernel * kernel * channels;
        const got = new Float32Array(rows * cols).fill(NaN);
        im2colInto(x, got, batch, channels, g);
        expect(Array.from(got)).toEqual(Array.from(want));
        const gotT = new Float32Array(rows * cols).fill(NaN);
        im2colTInto(x, gotT, batch, channels, g);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(gotT[c * rows + r]).toBe(want[r * cols + c]);
        // <im2col(x), y> = <x, col2im(y)> for any y: col2im is exactly the transpose.
        const y = randomArray(rows * cols, 2);
        const back = new Float32Array(x.length).fill(NaN);
        col2imInto(y, back, batch, channels, g);
        let lhs = 0;
        let rhs = 0;
        for (let i = 0; i < y.length; i++) lhs += want[i] * y[i];
        for (let i = 0; i < x.length; i++) rhs += x[i] * back[i];
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
      });
    });

    describe('patch kernels on wasm', () => {
      it('run in kernels.wat on the tfjs heap (not the JavaScript fallback)', () => {
        expect(heapKernels(tf.backend())).not.toBeNull();
      });

      it.each(CASES)('%s: Im2Col, Im2ColT and Col2Im equal the JavaScript loops exactly', (_name, batch, size, channels, kernel, stride) => {
        const g = sameGeometry(size, size, kernel, stride);
        const x = randomArray(batch * size * size * channels, 12);
        const rows = batch * g.outHeight * g.outWidth;
        const cols = kernel * kernel * channels;
        const y = randomArray(rows * cols, 13);
        const want = [new Float32Array(rows * cols), new Float32Array(rows * cols), new Float32Array(x.length)];
        im2colInto(x, want[0], batch, channels, g);
        im2colTInto(x, want[1], batch, channels, g);
        col2imInto(y, want[2], batch, channels, g);
        const got = tf.tidy(() => {
          const xt = tf.tensor4d(x, [batch, size, size, channels]);
          return [im2col(xt, g).dataSync(), im2colT(xt, g).dataSync(), col2im(tf.tensor2d(y, [rows, cols]), g, channels).dataSync()];
        });
        got.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(want[i])));
      });

      it('im2col·W equals tf.conv2d computed on the cpu backend; col2im(x·Fᵀ) equals tf.conv2dTranspose', async () => {
        const g = sameGeometry(10, 10, 3, 2);
        const xValues = randomArray(2 * 10 * 10 * 3, 3);
        const wValues = randomArray(3 * 3 * 3 * 4, 4);
        const yValues = randomArray(2 * 5 * 5 * 4, 5);
        // conv2dTranspose takes filters as [k, k, outC, inC]: here outC = 3 (the image), inC = 4.
        const fValues = randomArray(3 * 3 * 3 * 4, 6);
        const [convWant, convTWant] = await quietly(async () => {
          await tf.setBackend('cpu');
          return tf.tidy(() => [
            tf.conv2d(tf.tensor4d(xValues, [2, 10, 10, 3]), tf.tensor4d(wValues, [3, 3, 3, 4]), 2, 'same').dataSync(),
            tf.conv2dTranspose(tf.tensor4d(yValues, [2, 5, 5, 4]), tf.tensor4d(fValues, [3, 3, 3, 4]), [2, 10, 10, 3], 2, 'same').dataSync(),
          ]);
        });
        await tf.setBackend('wasm');
        const convGot = tf.tidy(() => {
          const patches = im2col(tf.tensor4d(xValues, [2, 10, 10, 3]), g);
          return tf.matMul(patches, tf.tensor2d(wValues, [27, 4])).dataSync();
        });
        expect(maxRelError(convGot, convWant)).toBeLessThan(1e-5);
        const convTGot = tf.tidy(() => {
          const fT = tf.transpose(tf.tensor2d(fValues, [27, 4]));
          return col2im(tf.matMul(tf.tensor2d(yValues, [50, 4]), fT as tf.Tensor2D), g, 3).dataSync();
        });
        expect(maxRelError(convTGot, convTWant)).toBeLessThan(1e-5);
      });

      it('gradients: d im2col = col2im and d col2im = im2col, as tf.grad sees them', () => {
        const g = sameGeometry(6, 6, 3, 2);
        tf.tidy(() => {
          const x = tf.tensor4d(randomArray(2 * 6 * 6 * 2, 7), [2, 6, 6, 2]);
          const w = tf.tensor2d(randomArray(2 * 3 * 3 * 3 * 3 * 2, 8), [2 * 3 * 3, 18]);
          const dx = tf.grad((xi) => tf.sum(tf.mul(im2col(xi as tf.Tensor4D, g), w)))(x);
          expect(Array.from(dx.dataSync())).toEqual(Array.from(col2im(w, g, 2).dataSync()));
          const c = tf.tensor2d(randomArray(18 * 18, 9), [18, 18]);
          const y = tf.tensor4d(randomArray(2 * 6 * 6 * 2, 10), [2, 6, 6, 2]);
          const dc = tf.grad((ci) => tf.sum(tf.mul(col2im(ci as tf.Tensor2D, g, 2), y)))(c);
          expect(Array.from(dc.dataSync())).toEqual(Array.from(im2col(y, g).dataSync()));
        });
      });

      it('runs the same on the cpu backend', async () => {
        const g = sameGeometry(6, 6, 3, 2);
        const xValues = randomArray(2 * 6 * 6 * 2, 11);
        const onWasm = tf.tidy(() => im2col(tf.tensor4d(xValues, [2, 6, 6, 2]), g).dataSync());
        const onCpu = await quietly(async () => {
          await tf.setBackend('cpu');
          return tf.tidy(() => im2col(tf.tensor4d(xValues, [2, 6, 6, 2]), g).dataSync());
        });
        await tf.setBackend('wasm');
        expect(Array.from(onCpu)).toEqual(Array.from(onWasm));
      });

      it('refuses a geometry that does not fit the tensor', () => {
        const g = sameGeometry(6, 6, 3, 2);
        tf.tidy(() => {
          expect(() => im2col(tf.zeros([1, 5, 5, 1]) as tf.Tensor4D, g)).toThrow(/geometry/);
          expect(() => col2im(tf.zeros([7, 9]) as tf.Tensor2D, g, 1)).toThrow(/geometry/);
        });
      });
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
