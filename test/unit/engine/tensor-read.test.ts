import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { takeScalars, takeValues } from '../../../src/engine/tensor-read';
import { describeEngine } from '../../engine-suite';

describeEngine('tensor-read', () => {
  it('reads each tensor asynchronously, in order, and disposes them', async () => {
    const before = tf.memory().numTensors;
    const [a, b] = await takeValues([tf.tensor1d([1, 2, 3]), tf.tensor2d([[4], [5]])]);
    expect(Array.from(a)).toEqual([1, 2, 3]);
    expect(Array.from(b)).toEqual([4, 5]);
    expect(await takeScalars([tf.scalar(7), tf.tensor1d([8, 9])])).toEqual([7, 8]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes the tensors also when a read fails, and passes the failure on', async () => {
    const before = tf.memory().numTensors;
    const good = tf.scalar(1);
    const lost = tf.scalar(2);
    vi.spyOn(lost, 'data').mockRejectedValue(new Error('device lost'));
    await expect(takeValues([good, lost])).rejects.toThrow('device lost');
    expect(good.isDisposed && lost.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
