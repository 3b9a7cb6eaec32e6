import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Bernoulli, DiagonalGaussian, SharedScaleGaussian, stdNormalLogProb } from '../../../../src/engine/model/distributions';
import { normalStream } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine('model/distributions', () => {
  const LOG_2PI = Math.log(2 * Math.PI);
  const mean = [
    [0.5, -1.2, 2.0],
    [0.0, 0.3, -0.7],
  ];
  const logvar = [
    [Math.log(4), -0.5, 0.2],
    [0.0, 1.1, -2.0],
  ];

  /** log N(x; μ, diag(exp(lv))) computed in float64 without tfjs. */
  function logNormal(x: number[], mu: number[], lv: number[]): number {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += -0.5 * ((x[j] - mu[j]) ** 2 / Math.exp(lv[j]) + lv[j] + LOG_2PI);
    return s;
  }

  describe('DiagonalGaussian', () => {
    it('logProb equals the closed form per example', () =>
      tf.tidy(() => {
        const x = [
          [0.1, 0.2, 0.3],
          [-1.0, 2.0, 0.5],
        ];
        const q = new DiagonalGaussian(tf.tensor2d(mean), tf.tensor2d(logvar));
        const got = q.logProb(tf.tensor2d(x)).arraySync() as number[];
        const nll = q.nll(tf.tensor2d(x)).arraySync() as number[];
        for (let i = 0; i < 2; i++) {
          const want = logNormal(x[i], mean[i], logvar[i]);
          expect(got[i]).toBeCloseTo(want, 4);
          expect(nll[i]).toBeCloseTo(-want, 4);
        }
      }));

    it('klToStdNormal matches a Monte-Carlo estimate of E_q[log q − log p]', () =>
      tf.tidy(() => {
        const q = new DiagonalGaussian(tf.tensor2d(mean), tf.tensor2d(logvar));
        const kl = q.klToStdNormal().arraySync() as number[];
        const draw = normalStream(7);
        const n = 200_000;
        for (let i = 0; i < 2; i++) {
          let sum = 0;
          let sumSq = 0;
          for (let s = 0; s < n; s++) {
            const z = mean[i].map((m, j) => m + Math.exp(0.5 * logvar[i][j]) * draw());
            const term = logNormal(z, mean[i], logvar[i]) - logNormal(z, [0, 0, 0], [0, 0, 0]);
            sum += term;
            sumSq += term * term;
          }
          const mc = sum / n;
          const stderr = Math.sqrt((sumSq / n - mc * mc) / n);
          expect(Math.abs(kl[i] - mc)).toBeLessThan(4 * stderr + 1e-4);
        }
        // And the closed form itself, term by term.
        const closed = mean.map((mu, i) => 0.5 * mu.reduce((s, m, j) => s + Math.exp(logvar[i][j]) + m * m - 1 - logvar[i][j], 0));
        expect(kl[0]).toBeCloseTo(closed[0], 4);
        expect(kl[1]).toBeCloseTo(closed[1], 4);
      }));

    it('sample() is reparameterised with σ = exp(½·logvar), not σ²', () =>
      tf.tidy(() => {
        const n = 20000;
        const q = new DiagonalGaussian(tf.fill([n, 1], 3), tf.fill([n, 1], Math.log(4)));
        const z = Array.from(q.sample(123).dataSync());
        const m = z.reduce((a, b) => a + b, 0) / n;
        const v = z.reduce((a, b) => a + (b - m) ** 2, 0) / n;
        expect(m).toBeCloseTo(3, 1);
        expect(Math.sqrt(v)).toBeGreaterThan(1.9);
        expect(Math.sqrt(v)).toBeLessThan(2.1);
        // Gradient flows to μ and logvar through the sample (the point of reparameterisation).
        const grads = tf.grads((mu: tf.Tensor, lv: tf.Tensor) => tf.sum(new DiagonalGaussian(mu, lv).sample(5)))([tf.zeros([4, 2]), tf.zeros([4, 2])]);
        expect(grads[0].dataSync().every((g) => g === 1)).toBe(true);
        expect(grads[1].dataSync().some((g) => g !== 0)).toBe(true);
      }));

    it('mode() is the mean', () =>
      tf.tidy(() => {
        const q = new DiagonalGaussian(tf.tensor2d(mean), tf.tensor2d(logvar));
        expect(q.mode().arraySync()).toEqual(tf.tensor2d(mean).arraySync());
      }));

    it('stdNormalLogProb is log N(z; 0, I)', () =>
      tf.tidy(() => {
        const z = [0.3, -1.5, 2.2];
        expect((stdNormalLogProb(tf.tensor2d([z])).arraySync() as number[])[0]).toBeCloseTo(logNormal(z, [0, 0, 0], [0, 0, 0]), 4);
      }));
  });

  describe('Bernoulli', () => {
    it('logProb is Σ x·ℓ − softplus(ℓ), i.e. x·log σ(ℓ) + (1−x)·log(1−σ(ℓ)), stable for large |ℓ|', () =>
      tf.tidy(() => {
        const logits = [[-3, 0, 2.5, 40, -40]];
        const x = [[0, 0.25, 1, 1, 0]];
        const got = (new Bernoulli(tf.tensor2d(logits)).logProb(tf.tensor2d(x)).arraySync() as number[])[0];
        const logSigmoid = (l: number): number => (l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));
        let want = 0;
        for (let i = 0; i < 5; i++) want += x[0][i] * logSigmoid(logits[0][i]) + (1 - x[0][i]) * logSigmoid(-logits[0][i]);
        expect(Number.isFinite(got)).toBe(true);
        expect(got).toBeCloseTo(want, 4);
        const big = (new Bernoulli(tf.tensor2d([[-200, 200]])).nll(tf.tensor2d([[1, 0]])).arraySync() as number[])[0];
        expect(big).toBeCloseTo(400, 2);
      }));

    it('mode() is sigmoid(ℓ)', () =>
      tf.tidy(() => {
        const m = new Bernoulli(tf.tensor2d([[0, Math.log(3)]])).mode().dataSync();
        expect(m[0]).toBeCloseTo(0.5, 6);
        expect(m[1]).toBeCloseTo(0.75, 6);
      }));
  });

  describe('Gaussian decoder with identity covariance', () => {
    it('log p = −½ Σ (x−μ)² − (D/2) log 2π', () =>
      tf.tidy(() => {
        const mu = [[0.2, 0.9, 0.4, 0.0]];
        const x = [[0.0, 1.0, 0.5, 1.0]];
        const p = new DiagonalGaussian(tf.tensor2d(mu), tf.zeros([1, 4]));
        const want = -0.5 * mu[0].reduce((s, m, i) => s + (x[0][i] - m) ** 2, 0) - 2 * LOG_2PI;
        expect((p.logProb(tf.tensor2d(x)).arraySync() as number[])[0]).toBeCloseTo(want, 4);
      }));
  });

  describe('SharedScaleGaussian', () => {
    it('is the DiagonalGaussian with its one log-variance everywhere: the same log-density and the same gradients', () =>
      tf.tidy(() => {
        const x = tf.tensor4d([0.1, 0.9, 0.4, 0.0, 0.7, 0.2, 1.0, 0.5], [2, 2, 2, 1]);
        const mu = tf.tensor4d([0.3, 0.8, 0.1, 0.2, 0.6, 0.6, 0.9, 0.4], [2, 2, 2, 1]);
        for (const lv of [-3.1, 0, 0.7]) {
          const logvar = tf.tensor1d([lv]);
          const shared = (m: tf.Tensor, l: tf.Tensor): tf.Tensor => new SharedScaleGaussian(m, l).logProb(x);
          const diagonal = (m: tf.Tensor, l: tf.Tensor): tf.Tensor => new DiagonalGaussian(m, tf.mul(tf.onesLike(m), l)).logProb(x);
          const [a, b] = [shared(mu, logvar).arraySync() as number[], diagonal(mu, logvar).arraySync() as number[]];
          for (let i = 0; i < 2; i++) expect(a[i]).toBeCloseTo(b[i], 4);
          const [gMuA, gLvA] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(shared(m, l)))([mu, logvar]);
          const [gMuB, gLvB] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(diagonal(m, l)))([mu, logvar]);
          const [ga, gb] = [gMuA.dataSync(), gMuB.dataSync()];
          for (let i = 0; i < ga.length; i++) expect(ga[i]).toBeCloseTo(gb[i], 4);
          expect(gLvA.dataSync()[0]).toBeCloseTo(gLvB.dataSync()[0], 3);
          expect(Array.from(new SharedScaleGaussian(mu, logvar).mode().dataSync())).toEqual(Array.from(mu.dataSync()));
        }
      }));
  });
});
