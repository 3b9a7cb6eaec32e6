import { describe, expect, it } from 'vitest';
import { fitPca, identityProjection, project, unproject } from '../../../../src/engine/latent/projection';
import { alignAxes } from '../../../../src/shared/projection';
import { initBackend } from '../../../../src/engine/backend';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { describeEngine } from '../../../engine-suite';

describeEngine('latent/projection', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0 || 1;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  /** n latents of d dims with unequal variances (so PCA has a definite order). */
  function latents(n: number, d: number, seed = 1): Float32Array {
    const r = rng(seed);
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (r() - 0.5) * (d - j) * 0.3 + (j === 3 ? 1.5 : 0);
    return out;
  }

  describe('the view ↔ latent maps', () => {
    const d = 20;
    const n = 3000;
    const mu = latents(n, d);
    const pca = fitPca(mu, n, d);

    it('PCA axes are orthonormal and ordered by explained variance', () => {
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const dot = pca.axes[a].reduce((s, v, j) => s + v * pca.axes[b][j], 0);
          expect(dot).toBeCloseTo(a === b ? 1 : 0, 6);
        }
      }
      expect(pca.explained[0]).toBeGreaterThanOrEqual(pca.explained[1]);
      expect(pca.explained[1]).toBeGreaterThanOrEqual(pca.explained[2]);
    });

    it('with d = 20, the view point p maps to z = mean + V·p, and back to p exactly', () => {
      const r = rng(5);
      for (let t = 0; t < 50; t++) {
        const p = [(r() - 0.5) * 8, (r() - 0.5) * 8, (r() - 0.5) * 8];
        const z = unproject(pca, p);
        for (let j = 0; j < d; j++) {
          const expected = pca.mean[j] + p[0] * pca.axes[0][j] + p[1] * pca.axes[1][j] + p[2] * pca.axes[2][j];
          expect(z[j]).toBeCloseTo(expected, 5);
        }
        const back = project(pca, z, 1);
        for (let k = 0; k < 3; k++) expect(back[k]).toBeCloseTo(p[k], 4);
      }
    });

    it('decoding the view point p decodes mean + V·p (a d = 20 model)', async () => {
      await initBackend('wasm');
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: d }), 3);
      try {
        const p = [0.7, -1.2, 2.1];
        const z = unproject(pca, p);
        const byHand = new Float32Array(d);
        for (let j = 0; j < d; j++) byHand[j] = pca.mean[j] + p[0] * pca.axes[0][j] + p[1] * pca.axes[1][j] + p[2] * pca.axes[2][j];
        expect(Array.from(await vae.decodeToPixels(z, 1))).toEqual(Array.from(await vae.decodeToPixels(byHand, 1)));
      } finally {
        vae.dispose();
      }
    });

    it('identity (d ≤ 3): the view is the latent space, padded with zeros for d = 2', () => {
      const id3 = identityProjection(3);
      expect(Array.from(unproject(id3, [1, -2, 3]))).toEqual([1, -2, 3]);
      const id2 = identityProjection(2);
      expect(Array.from(project(id2, new Float32Array([0.5, -1.5]), 1))).toEqual([0.5, -1.5, 0]);
      expect(Array.from(unproject(id2, [0.5, -1.5, 9]))).toEqual([0.5, -1.5]);
    });

    it('alignAxes keeps successive fits from mirroring the view', () => {
      const previous = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      const next = [
        [-1, 0, 0],
        [0, 0.9, 0.1],
        [0, 0, -1],
      ];
      expect(alignAxes(next, previous)).toEqual([true, false, true]);
      expect(next[0][0]).toBe(1);
      expect(next[2][2]).toBe(1);
    });
  });
});
