import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILTER_GRAD, filterGradient, filterGradInto, filterGradKernel } from '../../../../src/engine/kernels/filter-grad';
import { heapKernels } from '../../../../src/engine/kernels/heap';
import { im2colT, registerPatchKernels, sameGeometry, type PatchGeometry } from '../../../../src/engine/kernels/patches';
import { normalStream, onCpu } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/filter-grad',
  () => {
    beforeAll(async () => {
      registerPatchKernels();
    });

    function random(n: number, seed: number): Float32Array {
      const next = normalStream(seed);
      return Float32Array.from({ length: n }, () => next());
    }

    interface Case {
      name: string;
      batch: number;
      size: number;
      channels: number;
      columns: number;
      g: PatchGeometry;
    }

    // The conv VAE's hidden layer (stride 2, the extra padding row and column after the image), and
    // geometries with padding on every side, a 5 × 5 kernel, and an odd image size.
    const CASES: Case[] = [
      { name: 'the VAE hidden layer: 16×16×32 → 8×8, 64 columns', batch: 2, size: 16, channels: 32, columns: 64, g: sameGeometry(16, 16, 3, 2) },
      { name: 'stride 1, padding on every side', batch: 2, size: 7, channels: 8, columns: 16, g: sameGeometry(7, 7, 3, 1) },
      { name: '5×5 kernel, stride 2, odd size', batch: 3, size: 9, channels: 4, columns: 8, g: sameGeometry(9, 9, 5, 2) },
      { name: 'stride 2, odd size', batch: 1, size: 5, channels: 4, columns: 24, g: sameGeometry(5, 5, 3, 2) },
    ];

    describe('FilterGrad kernel (kernels.wat filterGrad4)', () => {
      it('runs in kernels.wat on the tfjs heap (not the JavaScript fallback)', () =>
        tf.tidy(() => {
          expect(tf.getBackend()).toBe('wasm');
          expect(heapKernels(tf.backend())?.filterGrad4).toBeTypeOf('function');
        }));

      it.each(CASES)('$name: equals the reference loop bit for bit on wasm and cpu, and im2colT·dy', async ({ batch, size, channels, columns, g }) => {
        const xs = random(batch * size * size * channels, size * 31 + channels);
        const rows = batch * g.outHeight * g.outWidth;
        const dys = random(rows * columns, columns + 5);
        const want = new Float32Array(g.kernel * g.kernel * channels * columns);
        filterGradInto(xs, dys, want, { ...g, batch, channels, columns });
        const run = (): number[] =>
          tf.tidy(() => Array.from(filterGradKernel(tf.tensor4d(xs, [batch, size, size, channels]), tf.tensor2d(dys, [rows, columns]), g).dataSync()));
        expect(run()).toEqual(Array.from(want));
        expect(await onCpu(run)).toEqual(Array.from(want));
        // The same numbers as the patch matrix's product, which filterGradient uses otherwise.
        const viaPatches = tf.tidy(() => tf.matMul(im2colT(tf.tensor4d(xs, [batch, size, size, channels]), g), tf.tensor2d(dys, [rows, columns])).dataSync());
        let worst = 0;
        viaPatches.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]) / (1 + Math.abs(v)))));
        expect(worst).toBeLessThan(1e-5);
      });

      it('filterGradient takes the kernel for whole blocks and the patch matrix otherwise, with the same result', async () => {
        const kernelsOf = async (channels: number, columns: number): Promise<{ names: string[]; values: Float32Array }> => {
          const g = sameGeometry(6, 6, 3, 2);
          const x = tf.tensor4d(random(2 * 36 * channels, channels), [2, 6, 6, channels]);
          const dy = tf.tensor2d(random(2 * 9 * columns, columns), [18, columns]);
          const info = await tf.profile(() => filterGradient(x, dy, g));
          const values = (info.result as tf.Tensor).dataSync() as Float32Array;
          const reference = tf.tidy(() => tf.matMul(im2colT(x, g), dy).dataSync());
          values.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-5 * (1 + Math.abs(reference[i]))));
          tf.dispose([x, dy, info.result as tf.Tensor]);
          return { names: info.kernelNames, values };
        };
        expect((await kernelsOf(4, 8)).names).toEqual([FILTER_GRAD]);
        expect((await kernelsOf(3, 8)).names).not.toContain(FILTER_GRAD);
        expect((await kernelsOf(4, 6)).names).not.toContain(FILTER_GRAD);
      });

      it('refuses inputs that do not match the geometry', () =>
        tf.tidy(() => {
          const g = sameGeometry(6, 6, 3, 2);
          expect(() => filterGradKernel(tf.zeros([1, 5, 6, 4]) as tf.Tensor4D, tf.zeros([9, 8]) as tf.Tensor2D, g)).toThrow(/geometry says 6×6/);
          expect(() => filterGradKernel(tf.zeros([1, 6, 6, 4]) as tf.Tensor4D, tf.zeros([10, 8]) as tf.Tensor2D, g)).toThrow(/does not match 1 images/);
        }));

      it('leaves no tensors behind', () =>
        tf.tidy(() => {
          const g = sameGeometry(8, 8, 3, 2);
          const x = tf.ones([2, 8, 8, 4]) as tf.Tensor4D;
          const dy = tf.ones([32, 8]) as tf.Tensor2D;
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            filterGradient(x, dy, g);
          });
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([x, dy]);
        }));
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
