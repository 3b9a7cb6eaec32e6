import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shareIdentityOnWasm } from '../../../../src/engine/kernels/identity';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'kernels/identity',
  () => {
    beforeAll(async () => {
      shareIdentityOnWasm();
    });

    describe('Identity on wasm shares memory', () => {
      it('a clone reads the same values, outlives its source, and frees the memory with the last reference', () => {
        const buffers = (): number => tf.engine().backend.numDataIds();
        const before = { tensors: tf.memory().numTensors, buffers: buffers() };
        const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
        const y = tf.clone(x);
        expect(y.shape).toEqual([2, 3]);
        // Two tensors, one buffer on the wasm heap.
        expect(tf.memory().numTensors - before.tensors).toBe(2);
        expect(buffers() - before.buffers).toBe(1);
        x.dispose();
        expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
        y.dispose();
        expect(buffers()).toBe(before.buffers);
        expect(tf.memory().numTensors).toBe(before.tensors);
      });

      it('gradients that save their inputs still see the right values', () => {
        const x = tf.tensor1d([0.5, -1, 2]);
        const g = tf.grad((t) => tf.sum(tf.mul(tf.exp(t), t)))(x);
        // d/dt (t·eᵗ) = eᵗ (1 + t)
        const want = [0.5, -1, 2].map((t) => Math.exp(t) * (1 + t));
        Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
        tf.dispose([x, g]);
      });
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);
