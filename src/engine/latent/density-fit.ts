/**
 * Fits the data's own density in latent space (shared/latent-density.ts) to the training images' means:
 * one full-covariance Gaussian, then Gaussian mixtures fitted by EM from a k-means++ start, the number of
 * components chosen by the mean log-likelihood of a held-out tenth of the means: the smallest mixture
 * within one standard error of the best (more components that win by noise only are not worth their cost
 * on every click and draw).
 *
 * Bounded: at most MAX_FIT_POINTS means (a seeded subsample), at most MAX_EM_ITERATIONS per mixture,
 * stopping when an iteration gains less than EM_TOLERANCE nats per point, so MNIST's 60,000 means at
 * d = 64 fit in seconds. Deterministic given the seed. Yields to the event loop between iterations and
 * stops when the signal aborts.
 */
import { choleskyFactor, gaussianLogPdf, logSumExp, seededUniform, type GaussianFactor, type LatentDensity } from '../../shared/latent-density';
import { MAX_DENSITY_COMPONENTS } from '../../shared/limits';
import { seededPermutation } from '../data/dataset';
import { yieldToEventLoop } from '../../node/event-loop';

export const MAX_FIT_POINTS = 3000;
export const MAX_EM_ITERATIONS = 50;
export const EM_TOLERANCE = 1e-4;
export const HELD_OUT_FRACTION = 0.1;
/** A covariance has d(d + 1)/2 numbers: with fewer means than this many times d + 1 per component it is mostly noise. */
const POINTS_PER_PARAMETER_ROW = 8;
/** The mixture sizes tried: those the points can support, POINTS_PER_PARAMETER_ROW·(d + 1) training means per component. */
export const COMPONENT_CHOICES = [1, 2, 4, MAX_DENSITY_COMPONENTS] as const;
/** Added to every covariance's diagonal, times the data's mean variance: keeps it positive definite. */
const RIDGE = 1e-4;

export interface DensityFitOptions {
  seed?: number;
  /** Only these mixture sizes (tests); default COMPONENT_CHOICES. */
  components?: readonly number[];
  signal?: AbortSignal;
}

export interface DensityFitResult {
  density: LatentDensity;
  /** The held-out mean log-likelihood of each size tried. */
  tried: { components: number; heldOutLogLikelihood: number; standardError: number }[];
}

export class DensityFitCancelled extends Error {
  constructor() {
    super('the latent density fit was cancelled');
  }
}

/** Fits the density of `count` means (count × d, row-major). */
export async function fitLatentDensity(means: Float32Array, count: number, d: number, options: DensityFitOptions = {}): Promise<DensityFitResult> {
  if (means.length !== count * d) throw new Error(`${means.length} numbers are not ${count} means of size ${d}`);
  if (count < 2 * (d + 1)) throw new Error(`a latent density of size ${d} needs at least ${2 * (d + 1)} means, got ${count}`);
  const seed = options.seed ?? 0;
  const order = seededPermutation(count, seed);
  const used = Math.min(count, MAX_FIT_POINTS);
  const nHeld = Math.max(1, Math.round(used * HELD_OUT_FRACTION));
  const rows = (from: number, to: number): Float64Array => {
    const out = new Float64Array((to - from) * d);
    for (let i = from; i < to; i++) for (let j = 0; j < d; j++) out[(i - from) * d + j] = means[order[i] * d + j];
    return out;
  };
  const held = rows(0, nHeld);
  const train = rows(nHeld, used);
  const nTrain = used - nHeld;
  const ridge = RIDGE * meanVariance(train, nTrain, d);
  const sizes = (options.components ?? COMPONENT_CHOICES).filter((k) => k === 1 || nTrain >= POINTS_PER_PARAMETER_ROW * k * (d + 1));
  const fits: LatentDensity[] = [];
  const tried: DensityFitResult['tried'] = [];
  for (const k of sizes) {
    const fitted = k === 1 ? oneGaussian(train, nTrain, d, ridge) : await em(train, nTrain, d, k, ridge, seed + k, options.signal);
    const heldOut = heldOutScore(fitted, held, nHeld);
    tried.push({ components: k, heldOutLogLikelihood: heldOut.mean, standardError: heldOut.standardError });
    fits.push({ ...fitted, heldOutLogLikelihood: heldOut.mean, fittedOn: used });
    await yieldToEventLoop();
    if (options.signal?.aborted) throw new DensityFitCancelled();
  }
  let best = 0;
  for (let i = 1; i < tried.length; i++) if (tried[i].heldOutLogLikelihood > tried[best].heldOutLogLikelihood) best = i;
  const bar = tried[best].heldOutLogLikelihood - tried[best].standardError;
  const chosen = tried.findIndex((t) => t.heldOutLogLikelihood >= bar);
  return { density: fits[chosen], tried };
}

function meanVariance(x: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let s = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      s += x[i * d + j];
      sq += x[i * d + j] ** 2;
    }
    total += sq / n - (s / n) ** 2;
  }
  return Math.max(total / d, 1e-12);
}

/** The weighted mean and covariance (+ ridge·I) of the points, weights `resp` (null: all 1). */
function moments(x: Float64Array, n: number, d: number, resp: Float64Array | null, ridge: number): { mean: Float64Array; cov: Float64Array; total: number } {
  const mean = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = resp ? resp[i] : 1;
    total += w;
    for (let j = 0; j < d; j++) mean[j] += w * x[i * d + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const w = resp ? resp[i] : 1;
    if (w < 1e-12) continue;
    for (let j = 0; j < d; j++) c[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const wa = w * c[a];
      const row = a * d;
      for (let b = 0; b <= a; b++) cov[row + b] += wa * c[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) cov[b * d + a] = cov[a * d + b] = cov[a * d + b] / total;
    cov[a * d + a] += ridge;
  }
  return { mean, cov, total };
}

function oneGaussian(x: Float64Array, n: number, d: number, ridge: number): LatentDensity {
  const { mean, cov } = moments(x, n, d, null, ridge);
  return { dim: d, weights: Float64Array.of(1), means: mean, covariances: cov, heldOutLogLikelihood: null, fittedOn: n };
}

/** The mean log-density of the points and its standard error. */
function heldOutScore(v: LatentDensity, x: Float64Array, n: number): { mean: number; standardError: number } {
  const d = v.dim;
  const fs = Array.from({ length: v.weights.length }, (_, c) => choleskyFactor(v.covariances, d, c * d * d));
  const logs = new Float64Array(fs.length);
  const scratch = new Float64Array(d);
  let total = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const point = x.subarray(i * d, (i + 1) * d);
    for (let c = 0; c < fs.length; c++) logs[c] = Math.log(v.weights[c]) + gaussianLogPdf(fs[c], point, v.means, c * d, scratch);
    const ll = logSumExp(logs);
    total += ll;
    squares += ll * ll;
  }
  const mean = total / n;
  const variance = n > 1 ? Math.max(0, (squares - n * mean * mean) / (n - 1)) : 0;
  return { mean, standardError: Math.sqrt(variance / n) };
}

/** k-means++ centres: the first uniformly, each next with probability ∝ squared distance to the nearest. */
function kMeansPlusPlus(x: Float64Array, n: number, d: number, k: number, seed: number): Float64Array {
  const uniform = seededUniform(seed);
  const centres = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = Math.min(n - 1, Math.floor(uniform() * n));
  for (let c = 0; c < k; c++) {
    centres.set(x.subarray(pick * d, (pick + 1) * d), c * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - centres[c * d + j]) ** 2;
      if (s < nearest[i]) nearest[i] = s;
      total += nearest[i];
    }
    let u = uniform() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= nearest[i];
      if (u < 0) {
        pick = i;
        break;
      }
    }
  }
  return centres;
}

/** Component c's Cholesky factor; a covariance that rounding left not positive definite is reset to the pooled one. */
function factorOrPooled(covariances: Float64Array, pooled: Float64Array, d: number, c: number): GaussianFactor {
  try {
    return choleskyFactor(covariances, d, c * d * d);
  } catch {
    covariances.set(pooled, c * d * d);
    return choleskyFactor(covariances, d, c * d * d);
  }
}

/** EM for a k-component mixture, started from k-means++ centres with the pooled covariance. */
async function em(x: Float64Array, n: number, d: number, k: number, ridge: number, seed: number, signal?: AbortSignal): Promise<LatentDensity> {
  const pooled = moments(x, n, d, null, ridge).cov;
  const means = kMeansPlusPlus(x, n, d, k, seed);
  const covariances = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) covariances.set(pooled, c * d * d);
  const weights = new Float64Array(k).fill(1 / k);
  // resp[c] holds component c's responsibility for each point.
  const resp = Array.from({ length: k }, () => new Float64Array(n));
  const logs = new Float64Array(k);
  const scratch = new Float64Array(d);
  let previous = -Infinity;
  for (let iteration = 0; iteration < MAX_EM_ITERATIONS; iteration++) {
    // E step: responsibilities and the mean log-likelihood.
    const fs: GaussianFactor[] = Array.from({ length: k }, (_, c) => factorOrPooled(covariances, pooled, d, c));
    let total = 0;
    for (let i = 0; i < n; i++) {
      const point = x.subarray(i * d, (i + 1) * d);
      for (let c = 0; c < k; c++) logs[c] = Math.log(weights[c]) + gaussianLogPdf(fs[c], point, means, c * d, scratch);
      const norm = logSumExp(logs);
      total += norm;
      for (let c = 0; c < k; c++) resp[c][i] = Math.exp(logs[c] - norm);
    }
    const meanLl = total / n;
    // M step: weights, means, covariances (+ ridge). A component left with almost no points keeps the
    // pooled covariance rather than collapsing onto one of them.
    for (let c = 0; c < k; c++) {
      const m = moments(x, n, d, resp[c], ridge);
      weights[c] = Math.max(m.total / n, 1e-12);
      if (m.total < d + 1) {
        covariances.set(pooled, c * d * d);
        continue;
      }
      means.set(m.mean, c * d);
      covariances.set(m.cov, c * d * d);
    }
    const sum = weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < k; c++) weights[c] /= sum;
    await yieldToEventLoop();
    if (signal?.aborted) throw new DensityFitCancelled();
    if (meanLl - previous < EM_TOLERANCE) break;
    previous = meanLl;
  }
  return { dim: d, weights, means, covariances, heldOutLogLikelihood: null, fittedOn: n };
}
