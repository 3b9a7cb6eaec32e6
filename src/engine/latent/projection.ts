/**
 * Latent space (d dims) ↔ the 3D view. Identity when d ≤ 3 (padded with zeros: the view *is* the
 * latent space); PCA to 3D otherwise, whose inverse maps a view point p to mean + V·p exactly on the
 * 3D subspace. (UMAP, with an approximate inverse, runs in the page: src/renderer/explorer/layouts/umap.worker.ts.)
 */
import { PCA } from 'ml-pca';

export interface LinearProjection {
  kind: 'identity' | 'pca';
  latentDim: number;
  /** d numbers. */
  mean: number[];
  /** 3 rows of d numbers: the view axes in latent space (orthonormal). */
  axes: number[][];
  /** Fraction of latent variance each axis explains (PCA), or 1/0 for identity axes. */
  explained: number[];
}

export function identityProjection(latentDim: number): LinearProjection {
  if (latentDim > 3) throw new Error(`identity projection needs d ≤ 3, got ${latentDim}`);
  const axes = [0, 1, 2].map((row) => Array.from({ length: latentDim }, (_, j) => (j === row ? 1 : 0)));
  return { kind: 'identity', latentDim, mean: new Array(latentDim).fill(0), axes, explained: axes.map((a) => (a.some((v) => v) ? 1 : 0)) };
}

/** PCA of `count` latent vectors (row-major, count × d) via their d × d covariance. */
export function fitPca(latents: Float32Array, count: number, latentDim: number): LinearProjection {
  if (count < 2) throw new Error('PCA needs at least two points');
  const d = latentDim;
  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] += latents[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= count;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const row = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) row[j] = latents[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      const ca = cov[a];
      for (let b = a; b < d; b++) ca[b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b][a] = cov[a][b] = cov[a][b] / (count - 1);
  const pca = new PCA(cov, { isCovarianceMatrix: true });
  const vectors = pca.getEigenvectors();
  const explained = pca.getExplainedVariance();
  const axes = [0, 1, 2].map((k) => (k < d ? Array.from({ length: d }, (_, j) => vectors.get(j, k)) : new Array<number>(d).fill(0)));
  return { kind: 'pca', latentDim: d, mean: Array.from(mean), axes, explained: [0, 1, 2].map((k) => explained[k] ?? 0) };
}

export function projectionFor(latents: Float32Array, count: number, latentDim: number): LinearProjection {
  return latentDim <= 3 ? identityProjection(latentDim) : fitPca(latents, count, latentDim);
}

// The page applies and inverts the same maps: one implementation for both, in src/shared.
export { project, unproject, alignAxes } from '../../shared/projection';
