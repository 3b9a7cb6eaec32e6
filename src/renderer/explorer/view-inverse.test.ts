import { describe, expect, it } from 'vitest';
import { ViewInverse } from './view-inverse';
import { densityLogPdf, sampleDensity, seededNormal, seededUniform } from '../../shared/latent-density';

// Four points of a 4-d latent space; their "UMAP" view puts them on the corners of a square.
const mu = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
const view = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]);
const umap = { kind: 'umap', count: 4, latentDim: 4, view, mu };

describe('view ↔ latent maps', () => {
  it('a linear view is inverted exactly: latentToView(viewToLatent(p)) = p', () => {
    const linear = {
      kind: 'pca' as const,
      latentDim: 4,
      mean: [0.5, 0, 0, 0],
      axes: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 1],
      ],
    };
    const inverse = new ViewInverse({ ...umap, kind: 'pca' }, linear as never);
    const z = inverse.viewToLatent([0.25, -1, 2]);
    expect(Array.from(z)).toEqual([0.75, -1, 0, 2]);
    expect(inverse.latentToView(z)).toEqual([0.25, -1, 2]);
  });

  it('UMAP: a point of the layout maps to its own μ, and its μ back to (near) its spot', () => {
    const inverse = new ViewInverse(umap, null);
    expect(Array.from(inverse.viewToLatent([1, 0, 0]))).toEqual([0, 1, 0, 0]);
    const back = inverse.latentToView(mu.subarray(8, 12))!;
    // The nearest μ dominates the weighted mean (weight 1e6 against ~0.7 for the others).
    expect(back[0]).toBeCloseTo(0, 4);
    expect(back[1]).toBeCloseTo(1, 4);
  });

  it('UMAP: a spot between points is a distance-weighted mean of their μ, nearer points weigh more', () => {
    const inverse = new ViewInverse(umap, null);
    const z = inverse.viewToLatent([0.2, 0, 0]);
    expect(z[0]).toBeGreaterThan(z[1]);
    expect(z[1]).toBeGreaterThan(z[3]);
    expect(z[0] + z[1] + z[2] + z[3]).toBeCloseTo(1, 5);
  });

  it('latents of the wrong size cannot be placed', () => {
    const inverse = new ViewInverse(umap, null);
    expect(inverse.latentToView([1, 2])).toBeNull();
    expect(inverse.latentsToView(new Float32Array(5))).toBeNull();
    expect(inverse.latentsToView(mu)?.length).toBe(12);
  });

  describe('with a fitted latent density', () => {
    // One Gaussian at (1, 2, 3, 4) whose dimension 2 follows dimension 0 (covariance 0.5), viewed on
    // axes 0, 1 and 3: the unseen dimension 2 of a spot is 3 + 0.5·(z₀ − 1), not the view mean's 0.
    const covariances = new Float64Array(16);
    for (let i = 0; i < 4; i++) covariances[i * 4 + i] = 1;
    covariances[0 * 4 + 2] = covariances[2 * 4 + 0] = 0.5;
    const density = {
      dim: 4,
      weights: Float64Array.of(1),
      means: Float64Array.of(1, 2, 3, 4),
      covariances,
      heldOutLogLikelihood: null,
      fittedOn: 100,
    };
    const linear = {
      kind: 'pca' as const,
      latentDim: 4,
      mean: [0, 0, 0, 0],
      axes: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 1],
      ],
    };

    it("PCA: a spot's seen coordinates are the spot's, its unseen ones the conditional mean", () => {
      const inverse = new ViewInverse({ ...umap, kind: 'pca' }, linear as never, density);
      const z = Array.from(inverse.viewToLatent([3, -1, 0.5]));
      [3, -1, 3 + 0.5 * (3 - 1), 0.5].forEach((v, j) => expect(z[j]).toBeCloseTo(v, 5));
      const back = inverse.latentToView(z)!;
      [3, -1, 0.5].forEach((v, a) => expect(back[a]).toBeCloseTo(v, 5));
    });

    it('a flat view fixes two axes: the third takes its conditional mean, and latents land on the plane', () => {
      const inverse = new ViewInverse({ ...umap, kind: 'pca' }, linear as never, density, 2);
      const z = Array.from(inverse.viewToLatent([0, 5, 0]));
      [0, 5, 3 - 0.5, 4].forEach((v, j) => expect(z[j]).toBeCloseTo(v, 5));
      expect(inverse.latentToView(z)![2]).toBe(0);
    });

    it("UMAP: a spot on a point is still that point's μ (no conditional view of the density)", () => {
      const inverse = new ViewInverse(umap, null, density);
      expect(inverse.densityView).toBeNull();
      expect(Array.from(inverse.viewToLatent([1, 0, 0]))).toEqual([0, 1, 0, 0]);
    });
  });

  describe('UMAP with a fitted density: blends are pulled onto the data', () => {
    // Three tight clusters in d = 6; the "UMAP" view sees dimensions 0 and 1 through heavy noise, so a
    // spot's 8 nearest points come from several clusters and their blend lies between them.
    const d = 6;
    const covariances = new Float64Array(3 * d * d);
    for (let c = 0; c < 3; c++) for (let a = 0; a < d; a++) covariances[c * d * d + a * d + a] = 0.25;
    const density = {
      dim: d,
      weights: Float64Array.of(0.4, 0.3, 0.3),
      means: Float64Array.of(4, 0, 1, 0, 0, -1, -2, 3.5, 0, 1, -1, 0, -2, -3.5, -1, 0, 1, 1),
      covariances,
      heldOutLogLikelihood: null,
      fittedOn: 300,
    };
    const count = 300;
    const mu = sampleDensity(density, count, 7);
    const noise = seededNormal(11);
    const view = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      view[i * 3] = mu[i * d] + 3 * noise();
      view[i * 3 + 1] = mu[i * d + 1] + 3 * noise();
    }
    const layout = { kind: 'umap', count, latentDim: d, view, mu };
    const uniform = seededUniform(3);
    const spots = Array.from({ length: 60 }, (): [number, number, number] => [-6 + 12 * uniform(), -6 + 12 * uniform(), 0]);

    it('every spot decodes at a higher log-density than the plain blend, and on average by much', () => {
      const blend = new ViewInverse(layout, null);
      const pulled = new ViewInverse(layout, null, density);
      const gains = spots.map((p) => densityLogPdf(density, pulled.viewToLatent(p)) - densityLogPdf(density, blend.viewToLatent(p)));
      for (const gain of gains) expect(gain).toBeGreaterThan(0);
      expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThan(5);
    });

    it('a density of another latent size is not used', () => {
      const other = { ...density, dim: 4 };
      const blend = new ViewInverse(layout, null);
      const inverse = new ViewInverse(layout, null, other as never);
      expect(Array.from(inverse.viewToLatent(spots[0]))).toEqual(Array.from(blend.viewToLatent(spots[0])));
    });
  });
});
