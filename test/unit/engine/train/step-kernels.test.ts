/**
 * What one training step dispatches (docs/PERFORMANCE.md): the ReLU's cheap gradient gives tfjs's own
 * numbers on every backend, and on native TensorFlow, where every kernel is a native call and tfjs-node
 * builds some kernels from several, the trainer's step stays within its kernel budget.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { reluSignGradient } from '../../../../src/engine/model/ops';
import { Vae, imagesToTensor, makeConfig, type VaeConfig } from '../../../../src/engine/model/vae';
import { createAdam } from '../../../../src/engine/kernels/adam';
import { createTrainStep } from '../../../../src/engine/train/trainer';
import { folderRecipe } from '../../../../src/engine/bench-figures/conv-folder-bench';
import { normalStream } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

function values(n: number, seed: number): Float32Array {
  const next = normalStream(seed);
  // Exact zeros and negatives too: the ReLU's gradient differs on each side of 0 and at it.
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : next()));
}

describeEngine('train/step: the ReLU gradient', () => {
  it('gives tf.relu’s value and gradient, bit for bit', () => {
    const [mine, theirs] = tf.tidy(() => {
      const x = tf.tensor2d(values(64 * 9, 3), [64, 9]);
      const weights = tf.tensor2d(values(64 * 9, 4), [64, 9]);
      const loss = (relu: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.mul(relu(t), weights));
      const of = (relu: (t: tf.Tensor) => tf.Tensor) => {
        const { value, grad } = tf.valueAndGrad(loss(relu))(x);
        return [relu(x).dataSync(), grad.dataSync(), value.dataSync()];
      };
      return [of(reluSignGradient), of(tf.relu)];
    });
    mine.forEach((got, i) => expect(Array.from(got)).toEqual(Array.from(theirs[i])));
  });
});

/** A few steps, then the kernels the next one dispatches (nested ones included, as tf.profile lists them). */
async function kernelsOfStep(config: VaeConfig, lr: number, batch: number): Promise<{ kernels: string[]; tensors: number[] }> {
  const vae = Vae.create(config, 1);
  const optimizer = createAdam(lr);
  const step = createTrainStep(vae, optimizer, 1);
  const size = config.height * config.width * config.channels;
  const pixels = Uint8Array.from({ length: batch * size }, (_, i) => (i * 37) % 256);
  const x = imagesToTensor(pixels, 0, batch, config);
  try {
    const tensors: number[] = [];
    for (let i = 0; i < 3; i++) {
      await step(x, i);
      tensors.push(tf.memory().numTensors);
    }
    const info = await tf.profile(async () => {
      await step(x, 9);
    });
    tensors.push(tf.memory().numTensors);
    // Every kernel dispatched, in order (kernelNames is only the distinct names).
    return { kernels: info.kernels.map((k) => k.name), tensors };
  } finally {
    x.dispose();
    optimizer.dispose();
    vae.dispose();
  }
}

describeEngine(
  'train/step: kernels per step on native TensorFlow',
  () => {
    // Budgets: the counts of docs/PERFORMANCE.md after the ReLU gradient (281 and 394 before it) and
    // the fused Adam (267 and 366 before it: tfjs's Adam dispatches 14 kernels per variable, ours one).
    it('the MNIST MLP (784-400-20, Bernoulli) dispatches at most 135 kernels a step, and keeps tensor counts flat', async () => {
      const { kernels, tensors } = await kernelsOfStep(makeConfig({ arch: 'mlp', latentDim: 20 }), 1e-3, 16);
      expect(kernels).not.toContain('Step');
      // The ReLU's gradient is TensorFlow's ReluGrad, not Sign and Multiply (kernels/bias-grad.ts).
      expect(kernels).not.toContain('Sign');
      expect(kernels.length).toBeLessThanOrEqual(135);
      expect(new Set(tensors).size).toBe(1);
    });

    it('the folder default (32² RGB conv, calibrated Gaussian) dispatches at most 182 kernels a step, and keeps tensor counts flat', async () => {
      const { config, recipe } = folderRecipe(64);
      const { kernels, tensors } = await kernelsOfStep(config, recipe.lr, 8);
      expect(kernels).not.toContain('Step');
      expect(kernels).not.toContain('Sign');
      expect(kernels.length).toBeLessThanOrEqual(182);
      expect(new Set(tensors).size).toBe(1);
    });
  },
  { only: { backends: ['tensorflow'], why: 'counts the kernels native TensorFlow dispatches (tfjs-node builds Step from six; cpu and wasm have one)' } },
);
