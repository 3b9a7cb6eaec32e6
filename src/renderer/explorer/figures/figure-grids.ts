/**
 * The latents of the classic VAE figures, as pure functions (tested in Node); each figure is then
 * one batched decode of all its cells:
 *  - a traversal grid: one row per direction (each latent dimension, or the top principal directions
 *    of μ when d > 12), columns z + t·u for t from −3 to +3 (the prior's σ is 1 along any unit u);
 *  - samples of the model's fitted latent density, or of the prior N(0, I) (seeded, so a figure can be
 *    made again);
 *  - a manifold grid: the spots of a square of the view plane, mapped to latents by the caller.
 */
import { drawLatents, type LatentDensity } from '../../../shared/latent-density';
import type { LatentPrior } from '../../../shared/vocabulary';
import type { Vec3 } from '../../scene/types';

/** A latent figure: rows × cols latents (row-major, d each) and what each row is. */
export interface LatentGrid {
  rows: number;
  cols: number;
  latentDim: number;
  /** rows × cols × latentDim. */
  z: Float32Array;
  rowNames: string[];
  colNames: string[];
}

/** Rows of a traversal grid when d is larger than this are principal directions, not dimensions. */
export const MAX_DIMENSION_ROWS = 12;

/** Eigenvalues (descending) and unit eigenvectors of a symmetric d × d matrix (cyclic Jacobi). */
export function symmetricEigen(matrix: Float64Array, d: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i]);
  return {
    values: order.map((i) => a[i * d + i]),
    vectors: order.map((i) => Float64Array.from({ length: d }, (_, k) => v[k * d + i])),
  };
}

/** The top `k` principal directions of count × d latents (unit vectors, largest variance first). */
export function principalDirections(mu: Float32Array, count: number, d: number, k: number): { directions: Float64Array[]; variances: number[] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] += mu[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, count);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) row[j] = mu[i * d + j] - mean[j];
    for (let p = 0; p < d; p++) for (let q = p; q < d; q++) cov[p * d + q] += row[p] * row[q];
  }
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      cov[p * d + q] /= Math.max(1, count - 1);
      cov[q * d + p] = cov[p * d + q];
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  return { directions: vectors.slice(0, k), variances: values.slice(0, k) };
}

/** Column offsets t: `cols` evenly spaced values from −span to +span. */
export function traversalSteps(cols: number, span = 3): number[] {
  return Array.from({ length: cols }, (_, c) => -span + (2 * span * c) / (cols - 1));
}

/** z + t·u for every direction u (rows) and step t (columns). */
export function traversalGrid(z: Float32Array, directions: ArrayLike<number>[], rowNames: string[], cols = 9, span = 3): LatentGrid {
  const d = z.length;
  const steps = traversalSteps(cols, span);
  const out = new Float32Array(directions.length * cols * d);
  directions.forEach((u, r) => {
    steps.forEach((t, c) => {
      const base = (r * cols + c) * d;
      for (let j = 0; j < d; j++) out[base + j] = z[j] + t * u[j];
    });
  });
  return { rows: directions.length, cols, latentDim: d, z: out, rowNames, colNames: steps.map((t) => `${t >= 0 ? '+' : '−'}${Math.abs(t).toFixed(2)}σ`) };
}

/** The traversal directions of a d-dimensional model: each dimension, or the top principal directions of μ. */
export function traversalDirections(d: number, mu: Float32Array | null, count: number): { directions: ArrayLike<number>[]; names: string[] } {
  if (d <= MAX_DIMENSION_ROWS || !mu || count < 2) {
    return {
      directions: Array.from({ length: d }, (_, j) => Float32Array.from({ length: d }, (_, k) => (k === j ? 1 : 0))),
      names: Array.from({ length: d }, (_, j) => `z${j}`),
    };
  }
  const { directions } = principalDirections(mu, count, d, MAX_DIMENSION_ROWS);
  return { directions, names: directions.map((_, i) => `PC${i + 1}`) };
}

/** A seeded source of N(0, 1) numbers (mulberry32 + Box–Muller). */
export function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * rows × cols random latents: samples of the model's fitted latent density when it has one and
 * 'normal' is not asked for, else of N(0, I) (shared drawLatents); says which it drew from.
 */
export function priorGrid(
  density: LatentDensity | null | undefined,
  d: number,
  rows: number,
  cols: number,
  seed: number,
  prior?: LatentPrior,
): { grid: LatentGrid; prior: LatentPrior } {
  const drawn = drawLatents(density, d, rows * cols, seed, prior);
  return { grid: { rows, cols, latentDim: d, z: drawn.z, rowNames: [], colNames: [] }, prior: drawn.prior };
}

/**
 * A square of `n` × `n` spots on the plane facing the camera through its target, `halfSize` from
 * the centre to each side; row 0 is the top. The camera looks from `position` at `target`.
 */
export function viewPlaneSpots(position: Vec3, target: Vec3, halfSize: number, n: number): Vec3[] {
  const forward = [0, 1, 2].map((a) => target[a] - position[a]);
  const fl = Math.hypot(...forward) || 1;
  const f = forward.map((v) => v / fl);
  // right = forward × world up (y); when looking straight along y, use z as up instead.
  const worldUp = Math.abs(f[1]) > 0.99 ? [0, 0, 1] : [0, 1, 0];
  let right = [f[1] * worldUp[2] - f[2] * worldUp[1], f[2] * worldUp[0] - f[0] * worldUp[2], f[0] * worldUp[1] - f[1] * worldUp[0]];
  const rl = Math.hypot(...right) || 1;
  right = right.map((v) => v / rl);
  const up = [right[1] * f[2] - right[2] * f[1], right[2] * f[0] - right[0] * f[2], right[0] * f[1] - right[1] * f[0]];
  const spots: Vec3[] = [];
  for (let r = 0; r < n; r++) {
    const v = halfSize * (1 - (2 * r) / (n - 1));
    for (let c = 0; c < n; c++) {
      const u = halfSize * (-1 + (2 * c) / (n - 1));
      spots.push([target[0] + u * right[0] + v * up[0], target[1] + u * right[1] + v * up[1], target[2] + u * right[2] + v * up[2]]);
    }
  }
  return spots;
}
