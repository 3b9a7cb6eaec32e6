/**
 * The fused loss ops against the same functions written with tfjs's ops (distributions.ts), whose
 * gradients tfjs derives: same values, same gradients, on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Bernoulli, DiagonalGaussian, SharedScaleGaussian } from '../../../../src/engine/model/distributions';
import { bernoulliNllMean, klToStdNormalMean, reparameterizeWith, sharedScaleNllMean } from '../../../../src/engine/model/elbo-ops';
import { normalStream } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

function random(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const next = normalStream(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => offset + scale * next()),
    shape,
  );
}

function uniform01(shape: number[], seed: number): tf.Tensor {
  const next = normalStream(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => 1 / (1 + Math.exp(-next()))),
    shape,
  );
}

/** The value of f and its gradients for each input, as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[]): { value: number; grads: number[][] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

function expectClose(got: { value: number; grads: number[][] }, want: { value: number; grads: number[][] }): void {
  expect(got.value).toBeCloseTo(want.value, 2);
  expect(Math.abs(got.value - want.value) / Math.max(1, Math.abs(want.value))).toBeLessThan(1e-5);
  expect(got.grads.length).toBe(want.grads.length);
  got.grads.forEach((g, i) => {
    expect(g.length).toBe(want.grads[i].length);
    let num = 0;
    let den = 0;
    g.forEach((v, j) => {
      num += (v - want.grads[i][j]) ** 2;
      den += want.grads[i][j] ** 2;
    });
    expect(Math.sqrt(num / Math.max(den, 1e-30)), `gradient ${i}`).toBeLessThan(1e-5);
  });
}

describeEngine('model/elbo-ops', () => {
  it('reparameterizeWith is μ + exp(½·logvar)·ε, with its gradients', () =>
    tf.tidy(() => {
      const mean = random([6, 5], 1);
      const logvar = random([6, 5], 2, 0.5);
      const eps = random([6, 5], 3) as tf.Tensor2D;
      const weights = random([6, 5], 4);
      const fused = valueAndGrads((m, l) => tf.sum(tf.mul(reparameterizeWith(m as tf.Tensor2D, l as tf.Tensor2D, eps), weights)) as tf.Scalar, [mean, logvar]);
      const plain = valueAndGrads((m, l) => tf.sum(tf.mul(tf.add(m, tf.mul(tf.exp(tf.mul(l, 0.5)), eps)), weights)) as tf.Scalar, [mean, logvar]);
      expectClose(fused, plain);
    }));

  it('klToStdNormalMean is the batch mean of DiagonalGaussian.klToStdNormal, with its gradients', () =>
    tf.tidy(() => {
      const mean = random([7, 4], 5);
      const logvar = random([7, 4], 6, 0.7);
      const fused = valueAndGrads((m, l) => tf.mul(klToStdNormalMean(m as tf.Tensor2D, l as tf.Tensor2D), 1.7), [mean, logvar]);
      const plain = valueAndGrads((m, l) => tf.mul(tf.mean(new DiagonalGaussian(m, l).klToStdNormal()), 1.7) as tf.Scalar, [mean, logvar]);
      expectClose(fused, plain);
    }));

  it('sharedScaleNllMean is the batch mean of SharedScaleGaussian.nll, with gradients for μ and the scale', () =>
    tf.tidy(() => {
      const x = uniform01([3, 4, 4, 3], 7);
      const mean = uniform01([3, 4, 4, 3], 8);
      const logvar = tf.tensor([-2.3]);
      const fused = valueAndGrads((m, l) => tf.mul(sharedScaleNllMean(m, l, x), 0.3), [mean, logvar]);
      const plain = valueAndGrads((m, l) => tf.mul(tf.mean(new SharedScaleGaussian(m, l).nll(x)), 0.3) as tf.Scalar, [mean, logvar]);
      expectClose(fused, plain);
    }));

  it('bernoulliNllMean is the batch mean of Bernoulli.nll, with its gradient', () =>
    tf.tidy(() => {
      const x = uniform01([4, 5, 5, 1], 9);
      const logits = random([4, 5, 5, 1], 10, 3);
      const fused = valueAndGrads((l) => tf.mul(bernoulliNllMean(l, x), 2), [logits]);
      const plain = valueAndGrads((l) => tf.mul(tf.mean(new Bernoulli(l).nll(x)), 2) as tf.Scalar, [logits]);
      expectClose(fused, plain);
    }));
});
