/**
 * The directions to walk from a point of the latent space (GANSpace's sliders): the principal axes of the
 * latent means, of all of them (global) or of the k nearest the point (local). Each axis comes with its
 * standard deviation σ, so a slider's t is in σ units: z = z₀ + Σᵢ tᵢ·σᵢ·vᵢ. Pure arithmetic (tested in Node).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface PrincipalDirections {
  latentDim: number;
  /** The mean of the points the axes were fitted to (d numbers). */
  mean: Float64Array;
  /** Unit axes, by decreasing variance (d of them, d numbers each). */
  axes: Float64Array[];
  /** The standard deviation of the points along each axis. */
  sigmas: number[];
}

/** The rows of the k latent means nearest z (Euclidean), nearest first. */
export function nearestRows(mu: ArrayLike<number>, latentDim: number, count: number, z: ArrayLike<number>, k: number): Int32Array {
  const d2 = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < latentDim; j++) s += (mu[i * latentDim + j] - z[j]) ** 2;
    d2[i] = s;
  }
  const order = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => d2[a] - d2[b]);
  return order.slice(0, Math.min(k, count));
}

/**
 * The principal axes of the rows `rows` of mu (all rows when null): an eigendecomposition of their
 * covariance (d × d, d ≤ 64). Each axis's sign is chosen so its largest component is positive: fits of
 * nearby points then point the same way and a slider does not flip as the anchor moves.
 */
export function principalDirections(mu: ArrayLike<number>, latentDim: number, count: number, rows: ArrayLike<number> | null = null): PrincipalDirections {
  const d = latentDim;
  const n = rows ? rows.length : count;
  const mean = new Float64Array(d);
  const row = (k: number): number => (rows ? rows[k] : k);
  for (let k = 0; k < n; k++) for (let j = 0; j < d; j++) mean[j] += mu[row(k) * d + j] / n;
  const cov = Matrix.zeros(d, d);
  const centred = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < d; j++) centred[j] = mu[row(k) * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov.set(a, b, cov.get(a, b) + centred[a] * centred[b]);
  }
  const dof = Math.max(1, n - 1);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov.set(b, a, cov.get(a, b) / dof).set(a, b, cov.get(b, a));
  const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const axes = order.map((i) => {
    const v = Float64Array.from(vectors.getColumn(i));
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    return v;
  });
  return { latentDim: d, mean, axes, sigmas: order.map((i) => Math.sqrt(Math.max(0, values[i]))) };
}

/** z₀ + Σᵢ tᵢ·σᵢ·vᵢ over the first t.length directions. */
export function walk(z0: ArrayLike<number>, directions: PrincipalDirections, t: readonly number[]): Float32Array {
  const z = Float32Array.from(z0);
  t.forEach((ti, i) => {
    const v = directions.axes[i];
    const step = ti * directions.sigmas[i];
    if (!v || step === 0) return;
    for (let j = 0; j < z.length; j++) z[j] += step * v[j];
  });
  return z;
}
