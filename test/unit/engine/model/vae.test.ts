import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { Vae, imagesToTensor, makeConfig } from '../../../../src/engine/model/vae';
import { train } from '../../../../src/engine/train/trainer';
import { describeEngine } from '../../../engine-suite';

describeEngine(
  'model/vae',
  () => {
    let mnist: Dataset;
    beforeAll(async () => {
      mnist = await loadMnist();
    });

    const batchOf = (n: number, start = 0): tf.Tensor4D => imagesToTensor(mnist.pixels, start, n, mnist);

    describe('architectures', () => {
      it.each([
        ['mlp', 28, 1, 2],
        ['mlp', 28, 1, 64],
        ['conv', 28, 1, 20],
        ['conv', 32, 3, 8],
        ['conv', 64, 3, 3],
      ] as const)('%s %ipx×%i channels, d=%i: encode → reparameterize → decode shapes', (arch, size, channels, d) => {
        const vae = Vae.create(makeConfig({ arch, latentDim: d, height: size, channels }), 1);
        tf.tidy(() => {
          const x = tf.randomUniform([3, size, size, channels]) as tf.Tensor4D;
          const q = vae.encode(x);
          expect(q.mean.shape).toEqual([3, d]);
          expect(q.logvar.shape).toEqual([3, d]);
          const z = vae.reparameterize(q, 1);
          const image = vae.decode(z).mode();
          expect(image.shape).toEqual([3, size, size, channels]);
          const { recon, reconNll, kl } = vae.forward(x, 2);
          expect(recon.shape).toEqual([3, size, size, channels]);
          expect(reconNll.shape).toEqual([3]);
          expect(kl.shape).toEqual([3]);
          expect(vae.sample(2, 3).shape).toEqual([2, size, size, channels]);
        });
        vae.dispose();
      });

      it('refuses bad configurations with a message naming the problem', () =>
        tf.tidy(() => {
          expect(() => makeConfig({ arch: 'mlp', latentDim: 1 })).toThrow(/latent size must be an integer from 2 to 64/);
          expect(() => makeConfig({ arch: 'mlp', latentDim: 65 })).toThrow(/from 2 to 64/);
          expect(() => makeConfig({ arch: 'conv', latentDim: 4, height: 30 })).toThrow(/conv needs square images/);
          expect(() => makeConfig({ arch: 'rnn' as never, latentDim: 4 })).toThrow(/unknown architecture/);
        }));
    });

    describe('objective', () => {
      it('loss = mean(reconNll + β·kl) and reports both terms', () =>
        tf.tidy(() => {
          const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 4 }), 3);
          tf.tidy(() => {
            const x = batchOf(16);
            const parts = vae.forward(x, 9);
            const { loss, recon, kl } = vae.loss(x, 2.5, 9);
            const want = tf.mean(tf.add(parts.reconNll, tf.mul(parts.kl, 2.5))).dataSync()[0];
            expect(loss.dataSync()[0]).toBeCloseTo(want, 2);
            expect(recon.dataSync()[0]).toBeCloseTo(tf.mean(parts.reconNll).dataSync()[0], 2);
            expect(kl.dataSync()[0]).toBeCloseTo(tf.mean(parts.kl).dataSync()[0], 3);
          });
          vae.dispose();
        }));

      it.each(['mlp', 'conv'] as const)('%s: gradients reach every weight', (arch) =>
        tf.tidy(() => {
          for (const likelihood of ['bernoulli', 'gaussian'] as const) {
            const vae = Vae.create(makeConfig({ arch, latentDim: 6, likelihood, learnedScale: likelihood === 'gaussian' }), 4);
            const { grads, value } = tf.variableGrads(() => vae.loss(batchOf(8), 1, 5).loss, [...vae.params.values()]);
            expect(Object.keys(grads).length).toBe(vae.params.size);
            for (const [name, v] of vae.params) {
              const g = grads[v.name];
              expect(g, name).toBeInstanceOf(tf.Tensor);
              const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
              expect(Number.isFinite(norm), `${name} gradient is finite`).toBe(true);
              expect(norm, `${name} gradient is non-zero`).toBeGreaterThan(0);
            }
            tf.dispose([value, ...Object.values(grads)]);
            vae.dispose();
          }
        }),
      );
    });

    describe('importance-sampled log-likelihood', () => {
      it('is ≥ the ELBO and tightens as K grows', async () => {
        const small = limitDataset(mnist, 1000);
        const { vae } = await train(small, { arch: 'mlp', latentDim: 8, epochs: 2, seed: 1 });
        const x = batchOf(50, 60000);
        const elbo = tf.tidy(() => {
          const { reconNll, kl } = vae.forward(x, 11);
          return -tf.mean(tf.add(reconNll, kl)).dataSync()[0];
        });
        const meanLL = (K: number): number => {
          const ll = vae.logLikelihood(x, K, 50, 21);
          const m = tf.tidy(() => tf.mean(ll).dataSync()[0]);
          ll.dispose();
          return m;
        };
        const k1 = meanLL(1);
        const k10 = meanLL(10);
        const k200 = meanLL(200);
        // K = 1 is an unbiased single-sample ELBO; more samples can only tighten the bound in expectation.
        expect(Math.abs(k1 - elbo)).toBeLessThan(5);
        expect(k10).toBeGreaterThan(k1);
        expect(k200).toBeGreaterThan(k10);
        expect(k200).toBeGreaterThan(elbo);
        x.dispose();
        vae.dispose();
      });

      it('evaluates K in chunks without changing the estimate’s meaning', () =>
        tf.tidy(() => {
          const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3 }), 8);
          const x = batchOf(4);
          const whole = tf.tidy(() => vae.logLikelihood(x, 64, 64, 5).arraySync() as number[]);
          const chunked = tf.tidy(() => vae.logLikelihood(x, 64, 7, 5).arraySync() as number[]);
          // Different sample draws, same estimator: close, and both finite.
          for (let i = 0; i < 4; i++) {
            expect(Number.isFinite(chunked[i])).toBe(true);
            expect(Math.abs(whole[i] - chunked[i])).toBeLessThan(0.05 * Math.abs(whole[i]));
          }
          x.dispose();
          vae.dispose();
        }));
    });

    describe('embed and decode', () => {
      it('embed gives μ(x) for every image, in batches', async () => {
        const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 5 }), 6);
        const mu = await vae.embed(mnist.pixels, 37, 10);
        const direct = tf.tidy(() => vae.encode(batchOf(37)).mean.dataSync());
        expect(mu.length).toBe(37 * 5);
        for (let i = 0; i < mu.length; i++) expect(mu[i]).toBeCloseTo(direct[i], 4);
        vae.dispose();
      });

      it('decodeToPixels returns the decoder mode as uint8', async () => {
        const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 6);
        const z = new Float32Array([0.5, -0.5, 1, 1]);
        const pixels = await vae.decodeToPixels(z, 2);
        const want = tf.tidy(() => tf.mul(vae.decodeMode(tf.tensor2d(z, [2, 2])), 255).dataSync());
        expect(pixels.length).toBe(2 * 784);
        for (let i = 0; i < pixels.length; i++) expect(Math.abs(pixels[i] - want[i])).toBeLessThanOrEqual(0.5 + 1e-3);
        vae.dispose();
      });
    });

    describe('fromWeights', () => {
      it('wraps the weights as they are: no random initialisation first, no copy; the caller may dispose its tensors', async () => {
        const config = makeConfig({ arch: 'mlp', latentDim: 2, hidden: 16 });
        const source = Vae.create(config, 3);
        const weights = new Map([...source.params].map(([name, v]) => [name, v.clone()]));
        const buffersBefore = tf.memory().numDataBuffers;
        const create = vi.spyOn(Vae, 'create');
        const loaded = Vae.fromWeights(config, weights);
        expect(create).not.toHaveBeenCalled();
        create.mockRestore();
        expect(tf.memory().numDataBuffers).toBe(buffersBefore);
        tf.dispose([...weights.values()]);
        const z = new Float32Array([0.3, -0.7]);
        expect(await loaded.decodeToPixels(z, 1)).toEqual(await source.decodeToPixels(z, 1));
        source.dispose();
        loaded.dispose();
      });
    });
  },
  { only: { backends: ['wasm', 'tensorflow'], why: 'trains models: on cpu one training alone outlasts the 2-minute test timeout' } },
);
