import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shareIdentityOnWasm, shareSameShapeReshapeOnTensorflow } from '../../../../src/engine/kernels/identity';
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

describeEngine(
  'kernels/identity: reshape on tensorflow',
  () => {
    // The engine's backend start registers it (backend.ts); calling it again is a no-op.
    beforeAll(() => shareSameShapeReshapeOnTensorflow());

    const buffers = (): number => tf.engine().backend.numDataIds();

    it('a reshape to the shape a tensor has shares it: one buffer, values that outlive the source', () => {
      const before = { tensors: tf.memory().numTensors, buffers: buffers() };
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const same = [tf.reshape(x, [2, 3]), tf.reshape(x, [-1, 3])];
      expect(same.map((t) => t.shape)).toEqual([
        [2, 3],
        [2, 3],
      ]);
      expect(buffers() - before.buffers).toBe(1);
      x.dispose();
      for (const t of same) expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      tf.dispose(same);
      expect(buffers()).toBe(before.buffers);
      expect(tf.memory().numTensors).toBe(before.tensors);
    });

    it('any other shape is still TensorFlow’s reshape, and a gradient flows through both', () => {
      const before = buffers();
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const y = tf.reshape(x, [3, 2]);
      expect(y.shape).toEqual([3, 2]);
      expect(buffers() - before).toBe(2);
      expect(y.arraySync()).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const g = tf.grad((t) => tf.sum(tf.mul(tf.reshape(tf.reshape(t, [2, 3]), [3, 2]), tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]))))(x);
      expect(g.shape).toEqual([2, 3]);
      expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      tf.dispose([x, y, g]);
      expect(buffers()).toBe(before);
    });
  },
  { only: { backends: ['tensorflow'], why: 'tfjs-node runs every reshape as a TensorFlow op; the other backends share already' } },
);
