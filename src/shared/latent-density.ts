/**
 * The density of the data in latent space: a mixture of full-covariance Gaussians fitted to the training
 * images' means μ(x) (K = 1 is one Gaussian). The N(0, I) prior a VAE is trained towards is not where its
 * means end up, so samples drawn from this density, and the unseen dimensions of a click filled in with
 * their conditional mean under it, land where the decoder has seen data.
 *
 * Pure arithmetic on Float64Array (no tf): the engine fits it (engine/latent/density-fit.ts), the CLI and
 * the library sample from it, the page samples and takes conditional means with it. The maths is
 * /work/shared/VAE.md's notation: p(z) = Σₖ wₖ N(z; μₖ, Σₖ).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { z } from 'zod';
import type { LinearProjectionLike } from './projection';
import { MAX_DENSITY_COMPONENTS, MAX_LATENT } from './limits';
import type { LatentPrior } from './vocabulary';

export interface LatentDensity {
  /** The latent size d. */
  dim: number;
  /** K mixture weights, positive, summing to 1. */
  weights: Float64Array;
  /** K × d component means, row-major. */
  means: Float64Array;
  /** K × d × d component covariances (symmetric positive definite), row-major. */
  covariances: Float64Array;
  /** Mean log-density per point of the held-out means the fit did not see (null: not measured). */
  heldOutLogLikelihood: number | null;
  /** How many means the fit used (training and held-out together). */
  fittedOn: number;
}

const SUM_TOLERANCE = 1e-6;
const SYMMETRY_TOLERANCE = 1e-9;

/** Why a density is not one, or null (sizes, finiteness, weights, symmetric positive definite covariances). */
export function densityProblem(v: { dim: number; weights: ArrayLike<number>; means: ArrayLike<number>; covariances: ArrayLike<number> }): string | null {
  const { dim: d, weights, means, covariances } = v;
  const k = weights.length;
  if (means.length !== k * d) return `means hold ${means.length} numbers; ${k} components of size ${d} need ${k * d}`;
  if (covariances.length !== k * d * d) return `covariances hold ${covariances.length} numbers; ${k} components need ${k * d * d}`;
  for (const [name, values] of [
    ['weights', weights],
    ['means', means],
    ['covariances', covariances],
  ] as const) {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return `${name} hold a number that is not finite`;
  }
  let sum = 0;
  for (let i = 0; i < k; i++) {
    if (!(weights[i] > 0)) return 'weights must be positive';
    sum += weights[i];
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) return `weights must sum to 1 (they sum to ${sum})`;
  for (let c = 0; c < k; c++) {
    const base = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = a + 1; b < d; b++) {
        const x = covariances[base + a * d + b];
        const y = covariances[base + b * d + a];
        if (Math.abs(x - y) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(x))) return `covariance ${c + 1} is not symmetric`;
      }
    }
    if (!new CholeskyDecomposition(covarianceMatrix(covariances, c, d)).isPositiveDefinite()) return `covariance ${c + 1} is not positive definite`;
  }
  return null;
}

const int = z.number().int();
const Float64ArraySchema = z.custom<Float64Array>((v) => v instanceof Float64Array, { message: 'expected a Float64Array' });
const densityFields = {
  dim: int.min(1).max(MAX_LATENT),
  heldOutLogLikelihood: z.number().finite().nullable(),
  fittedOn: int.nonnegative(),
};
const checked = <T extends { dim: number; weights: ArrayLike<number>; means: ArrayLike<number>; covariances: ArrayLike<number> }>(
  v: T,
  ctx: z.RefinementCtx,
): void => {
  if (v.weights.length < 1 || v.weights.length > MAX_DENSITY_COMPONENTS) {
    ctx.addIssue({ code: 'custom', message: `a density has 1 to ${MAX_DENSITY_COMPONENTS} components, not ${v.weights.length}` });
    return;
  }
  const problem = densityProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/** The density as the seams carry it (typed arrays; contract and engine protocol). */
export const LatentDensitySchema = z
  .strictObject({ ...densityFields, weights: Float64ArraySchema, means: Float64ArraySchema, covariances: Float64ArraySchema })
  .superRefine(checked);

/** The density as manifest.json stores it (plain numbers; `densityFromJson` makes the typed one). */
export const LatentDensityJsonSchema = z
  .strictObject({
    ...densityFields,
    weights: z.array(z.number()).max(MAX_DENSITY_COMPONENTS),
    means: z.array(z.number()).max(MAX_DENSITY_COMPONENTS * MAX_LATENT),
    covariances: z.array(z.number()).max(MAX_DENSITY_COMPONENTS * MAX_LATENT * MAX_LATENT),
  })
  .superRefine(checked);
export type LatentDensityJson = z.infer<typeof LatentDensityJsonSchema>;

export function densityToJson(v: LatentDensity): LatentDensityJson {
  return { ...v, weights: Array.from(v.weights), means: Array.from(v.means), covariances: Array.from(v.covariances) };
}

export function densityFromJson(v: LatentDensityJson): LatentDensity {
  return { ...v, weights: Float64Array.from(v.weights), means: Float64Array.from(v.means), covariances: Float64Array.from(v.covariances) };
}

export function componentCount(v: LatentDensity): number {
  return v.weights.length;
}

function covarianceMatrix(covariances: ArrayLike<number>, c: number, d: number): Matrix {
  return symmetricMatrix(covariances, d, c * d * d);
}

/**
 * The n × n matrix at `offset`, made exactly symmetric by averaging each pair: a covariance accepted within
 * SYMMETRY_TOLERANCE (JSON round trips, sums in another order) would otherwise make ml-matrix's Cholesky
 * throw "Matrix is not symmetric" instead of factoring it.
 */
function symmetricMatrix(values: ArrayLike<number>, n: number, offset: number): Matrix {
  const m = new Matrix(n, n);
  for (let a = 0; a < n; a++) {
    m.set(a, a, values[offset + a * n + a]);
    for (let b = 0; b < a; b++) {
      const mean = (values[offset + a * n + b] + values[offset + b * n + a]) / 2;
      m.set(a, b, mean);
      m.set(b, a, mean);
    }
  }
  return m;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** A Gaussian's Cholesky factor L (row-major, lower) and log-determinant, for repeated evaluations. */
export interface GaussianFactor {
  dim: number;
  lower: Float64Array;
  logDet: number;
}

/** The Cholesky factor of a symmetric positive definite n × n matrix (row-major); throws when it is not one. */
export function choleskyFactor(matrix: ArrayLike<number>, n: number, offset = 0): GaussianFactor {
  const chol = new CholeskyDecomposition(symmetricMatrix(matrix, n, offset));
  if (!chol.isPositiveDefinite()) throw new Error('covariance is not positive definite');
  const lower = Float64Array.from(chol.lowerTriangularMatrix.to1DArray());
  let logDet = 0;
  for (let a = 0; a < n; a++) logDet += 2 * Math.log(lower[a * n + a]);
  return { dim: n, lower, logDet };
}

/** Solves L·y = x in place (forward substitution) and returns ‖y‖² = xᵀ Σ⁻¹ x. */
export function whiten(f: GaussianFactor, x: Float64Array): number {
  const n = f.dim;
  const l = f.lower;
  let sq = 0;
  for (let a = 0; a < n; a++) {
    let s = x[a];
    const row = a * n;
    for (let b = 0; b < a; b++) s -= l[row + b] * x[b];
    s /= l[row + a];
    x[a] = s;
    sq += s * s;
  }
  return sq;
}

/** Solves Σ·y = x in place, Σ = L·Lᵀ (forward then backward substitution). */
export function solveInPlace(f: GaussianFactor, x: Float64Array): void {
  whiten(f, x);
  const n = f.dim;
  const l = f.lower;
  for (let a = n - 1; a >= 0; a--) {
    let s = x[a];
    for (let b = a + 1; b < n; b++) s -= l[b * n + a] * x[b];
    x[a] = s / l[a * n + a];
  }
}

/** log N(x; mean, Σ) given Σ's factor; `scratch` (n numbers) is overwritten. */
export function gaussianLogPdf(f: GaussianFactor, x: ArrayLike<number>, mean: ArrayLike<number>, meanOffset: number, scratch: Float64Array): number {
  for (let a = 0; a < f.dim; a++) scratch[a] = x[a] - mean[meanOffset + a];
  return -0.5 * (f.dim * LOG_2PI + f.logDet + whiten(f, scratch));
}

/** log Σₖ exp(values[k]), without overflow. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i] - max);
  return max + Math.log(s);
}

/** The components' factors, computed once per density (a density is a value: it is never mutated). */
const factorCache = new WeakMap<LatentDensity, GaussianFactor[]>();
function factors(v: LatentDensity): GaussianFactor[] {
  let f = factorCache.get(v);
  if (!f) {
    f = Array.from({ length: componentCount(v) }, (_, c) => choleskyFactor(v.covariances, v.dim, c * v.dim * v.dim));
    factorCache.set(v, f);
  }
  return f;
}

/** log p(z) under the mixture. */
export function densityLogPdf(v: LatentDensity, point: ArrayLike<number>): number {
  if (point.length !== v.dim) throw new Error(`a point of size ${point.length} in a density of size ${v.dim}`);
  const scratch = new Float64Array(v.dim);
  const terms = factors(v).map((f, c) => Math.log(v.weights[c]) + gaussianLogPdf(f, point, v.means, c * v.dim, scratch));
  return logSumExp(terms);
}

/** A seeded uniform source in [0, 1) (mulberry32): the same numbers in Node and in the page. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded N(0, 1) source (Box–Muller over `seededUniform`). */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 − u ∈ (0, 1]: the log is finite
    const angle = 2 * Math.PI * uniform();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

/** n draws (n × d, row-major) from the mixture, the same for the same seed. */
export function sampleDensity(v: LatentDensity, n: number, seed: number): Float32Array {
  const d = v.dim;
  const fs = factors(v);
  const pickSource = seededUniform(seed ^ 0x5bd1e995);
  const normal = seededNormal(seed);
  const out = new Float32Array(n * d);
  const eps = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let c = 0;
    let u = pickSource();
    while (c < fs.length - 1 && u >= v.weights[c]) u -= v.weights[c++];
    const l = fs[c].lower;
    for (let a = 0; a < d; a++) eps[a] = normal();
    for (let a = 0; a < d; a++) {
      let s = v.means[c * d + a];
      for (let b = 0; b <= a; b++) s += l[a * d + b] * eps[b];
      out[i * d + a] = s;
    }
  }
  return out;
}

/** n standard normal numbers from `seed`: N(0, I) draws, the same in Node and in the page. */
export function standardNormals(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, seededNormal(seed));
}

/**
 * n random latents (n × d) from `seed`, wherever the app draws them (samples, the library's strip, a
 * random spot): from the model's fitted density when it has one and 'normal' is not asked for, else
 * from N(0, I). Says which it used; asking for 'density' of a model without one throws.
 */
export function drawLatents(
  density: LatentDensity | null | undefined,
  d: number,
  n: number,
  seed: number,
  prior?: LatentPrior,
): { z: Float32Array; prior: LatentPrior } {
  if (prior === 'density' && !density) throw new Error('this model has no fitted latent density (run `latentscape prepare --model DIR` to fit one)');
  if (density && prior !== 'normal') {
    if (density.dim !== d) throw new Error(`a density of size ${density.dim} for a model of latent size ${d}`);
    return { z: sampleDensity(density, n, seed), prior: 'density' };
  }
  return { z: standardNormals(n * d, seed), prior: 'normal' };
}

/**
 * The density seen through a linear view p = Vᵀ(z − m) (identity or PCA, src/shared/projection.ts), with
 * the first `viewDims` axes fixed (2 for a flat view); axes that are all zero (identity for d < 3) are
 * left out. Component k's view is N(aₖ, Sₖ) with aₖ = Vᵀ(μₖ − m) and Sₖ = VᵀΣₖV; given p, the
 * component's conditional mean of z is μₖ + ΣₖV·Sₖ⁻¹(p − aₖ), and the mixture's is their sum weighted by
 * each component's responsibility for p, rₖ ∝ wₖ N(p; aₖ, Sₖ).
 */
export class DensityView {
  readonly dim: number;
  /** The view axes that are fixed: indices into p. */
  readonly observed: number[];
  private readonly logWeights: Float64Array;
  private readonly viewMeans: Float64Array[];
  private readonly viewFactors: GaussianFactor[];
  /** Per component, d × r: Σₖ V Sₖ⁻¹ (so a conditional mean is μₖ + gainₖ·(p − aₖ)). */
  private readonly gains: Float64Array[];

  constructor(
    private readonly density: LatentDensity,
    projection: LinearProjectionLike,
    viewDims: 2 | 3 = 3,
  ) {
    const d = density.dim;
    if (projection.latentDim !== d) throw new Error(`a view of size-${projection.latentDim} latents on a density of size ${d}`);
    this.dim = d;
    this.observed = [];
    for (let a = 0; a < viewDims; a++) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += projection.axes[a][j] ** 2;
      if (norm > 0) this.observed.push(a);
    }
    const r = this.observed.length;
    const axes = this.observed.map((a) => projection.axes[a]);
    const k = componentCount(density);
    this.logWeights = Float64Array.from(density.weights, Math.log);
    this.viewMeans = [];
    this.viewFactors = [];
    this.gains = [];
    for (let c = 0; c < k; c++) {
      const cov = density.covariances.subarray(c * d * d, (c + 1) * d * d);
      const viewMean = new Float64Array(r);
      for (let a = 0; a < r; a++) for (let j = 0; j < d; j++) viewMean[a] += axes[a][j] * (density.means[c * d + j] - projection.mean[j]);
      // ΣV (d × r), then S = Vᵀ(ΣV) (r × r).
      const sigmaV = new Float64Array(d * r);
      for (let i = 0; i < d; i++) for (let a = 0; a < r; a++) for (let j = 0; j < d; j++) sigmaV[i * r + a] += cov[i * d + j] * axes[a][j];
      const s = new Float64Array(r * r);
      for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) for (let i = 0; i < d; i++) s[a * r + b] += axes[a][i] * sigmaV[i * r + b];
      for (let a = 0; a < r; a++) for (let b = 0; b < a; b++) s[a * r + b] = s[b * r + a] = (s[a * r + b] + s[b * r + a]) / 2;
      const factor = choleskyFactor(s, r);
      // gain = ΣV·S⁻¹: row i solves S·gᵢ = (ΣV)ᵢ (S is symmetric).
      const gain = new Float64Array(d * r);
      const row = new Float64Array(r);
      for (let i = 0; i < d; i++) {
        for (let a = 0; a < r; a++) row[a] = sigmaV[i * r + a];
        solveInPlace(factor, row);
        gain.set(row, i * r);
      }
      this.viewMeans.push(viewMean);
      this.viewFactors.push(factor);
      this.gains.push(gain);
    }
  }

  private observedOf(p: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.observed, (a) => p[a]);
  }

  /** Each component's log wₖ + log N(p; aₖ, Sₖ). */
  private componentLogs(o: Float64Array): Float64Array {
    const scratch = new Float64Array(o.length);
    return Float64Array.from(this.viewFactors, (f, c) => this.logWeights[c] + gaussianLogPdf(f, o, this.viewMeans[c], 0, scratch));
  }

  /** Each component's posterior responsibility for the view point p (they sum to 1). */
  responsibilities(p: ArrayLike<number>): Float64Array {
    const logs = this.componentLogs(this.observedOf(p));
    const total = logSumExp(logs);
    return logs.map((l) => Math.exp(l - total));
  }

  /** E[z | Vᵀ(z − m) = p]: the latent of a view point with the unseen dimensions at their conditional mean. */
  conditionalMean(p: ArrayLike<number>): Float32Array {
    const d = this.dim;
    const o = this.observedOf(p);
    const r = o.length;
    const weights = this.responsibilities(p);
    const z = new Float64Array(d);
    for (let c = 0; c < weights.length; c++) {
      if (weights[c] === 0) continue;
      const gain = this.gains[c];
      const a = this.viewMeans[c];
      for (let i = 0; i < d; i++) {
        let s = this.density.means[c * d + i];
        for (let b = 0; b < r; b++) s += gain[i * r + b] * (o[b] - a[b]);
        z[i] += weights[c] * s;
      }
    }
    return Float32Array.from(z);
  }

  /** log of the view's density at p: low where the model has seen no data. */
  logDensity(p: ArrayLike<number>): number {
    return logSumExp(this.componentLogs(this.observedOf(p)));
  }

  /**
   * How many standard deviations p lies from the data, in the view: the Mahalanobis distance to the
   * component most responsible for p (≈ 1–2 inside the cloud, growing outside it).
   */
  mahalanobis(p: ArrayLike<number>): number {
    const o = this.observedOf(p);
    const logs = this.componentLogs(o);
    let best = 0;
    for (let c = 1; c < logs.length; c++) if (logs[c] > logs[best]) best = c;
    const x = Float64Array.from(o, (v, a) => v - this.viewMeans[best][a]);
    return Math.sqrt(whiten(this.viewFactors[best], x));
  }
}
