/**
 * The autopilot's walk (issue 27): a smooth random walk that keeps to where the model's fitted latent
 * density is high. It moves in the density's whitened coordinates y = L⁻¹(z − m) (m, LLᵀ: the mean and
 * covariance of the whole mixture), so one unit of speed is one standard deviation of the data whatever
 * the latent's scale. Each step goes `step` along a unit heading; the heading turns towards
 *   smooth noise (an Ornstein–Uhlenbeck process along the path) + steer · ∇log p(y) / √d,
 * by at most `maxTurn` radians a step. The score term is the Langevin drift: far out it outweighs the
 * noise and turns the walk back in; near a mode the noise wins and the walk wanders. Bounding the turn
 * keeps the decoded images changing smoothly (no jumps back and forth).
 *
 * Pure arithmetic on Float64Array and a seeded normal source: the same seed gives the same walk.
 */
import { choleskyFactor, seededNormal, solveInPlace, type GaussianFactor, type LatentDensity } from '../../../shared/latent-density';

export interface WalkOptions {
  /** 0: the walk ignores the density (a persistent random walk, for comparison). */
  steer?: number;
  /** How far along the path (in σ) the noise stays correlated: longer is lazier curves. */
  noiseLength?: number;
  /** The most the heading turns per σ travelled, in radians (the path's greatest curvature). */
  curvature?: number;
  /** Where it starts (a latent); the density's mean when absent. */
  start?: ArrayLike<number> | null;
}

const DEFAULT_STEER = 1;
const DEFAULT_NOISE_LENGTH = 1;
const DEFAULT_CURVATURE = 1.5;
/** Even the shortest step may turn this much, so a slow walk still curves. */
const MIN_TURN = 0.02;
const MAX_TURN = 0.5;

/** The mean and the covariance's Cholesky factor of the whole mixture: Σₖ wₖ(Σₖ + (μₖ − m)(μₖ − m)ᵀ). */
export interface Whitening {
  mean: Float64Array;
  factor: GaussianFactor;
}

export function whitening(density: LatentDensity): Whitening {
  const d = density.dim;
  const k = density.weights.length;
  const mean = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) mean[a] += density.weights[c] * density.means[c * d + a];
  const cov = new Float64Array(d * d);
  for (let c = 0; c < k; c++) {
    const w = density.weights[c];
    for (let a = 0; a < d; a++) {
      const da = density.means[c * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += w * (density.covariances[c * d * d + a * d + b] + da * (density.means[c * d + b] - mean[b]));
    }
  }
  return { mean, factor: choleskyFactor(cov, d) };
}

/** y = L⁻¹(z − m). */
export function toWhite(w: Whitening, z: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(z, (v, a) => v - w.mean[a]);
  const n = w.factor.dim;
  const l = w.factor.lower;
  for (let a = 0; a < n; a++) {
    let s = y[a];
    for (let b = 0; b < a; b++) s -= l[a * n + b] * y[b];
    y[a] = s / l[a * n + a];
  }
  return y;
}

/** z = m + L·y. */
export function fromWhite(w: Whitening, y: ArrayLike<number>): Float64Array {
  const n = w.factor.dim;
  const l = w.factor.lower;
  const z = Float64Array.from(w.mean);
  for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) z[a] += l[a * n + b] * y[b];
  return z;
}

/** ∇ log p(z) of the mixture: Σₖ rₖ(z) · (−Σₖ⁻¹(z − μₖ)), rₖ the components' responsibilities. */
export function densityScore(density: LatentDensity, factors: readonly GaussianFactor[], z: ArrayLike<number>): Float64Array {
  const d = density.dim;
  const k = density.weights.length;
  const logs = new Float64Array(k);
  const pulls: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const offset = Float64Array.from({ length: d }, (_, a) => z[a] - density.means[c * d + a]);
    const whitened = Float64Array.from(offset);
    let sq = 0;
    const f = factors[c];
    for (let a = 0; a < d; a++) {
      let s = whitened[a];
      for (let b = 0; b < a; b++) s -= f.lower[a * d + b] * whitened[b];
      whitened[a] = s / f.lower[a * d + a];
      sq += whitened[a] ** 2;
    }
    logs[c] = Math.log(density.weights[c]) - 0.5 * (f.logDet + sq);
    solveInPlace(f, offset);
    pulls.push(offset);
  }
  const max = Math.max(...logs);
  let total = 0;
  for (let c = 0; c < k; c++) total += Math.exp(logs[c] - max);
  const score = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const r = Math.exp(logs[c] - max) / total;
    for (let a = 0; a < d; a++) score[a] -= r * pulls[c][a];
  }
  return score;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (v: ArrayLike<number>): number => Math.sqrt(dot(v, v));

/** Turns unit `from` towards `to` by at most `maxAngle` radians; `fallback` picks a side when `to` is straight behind. */
export function turnTowards(from: Float64Array, to: Float64Array, maxAngle: number, fallback: Float64Array): Float64Array {
  const n = norm(to);
  if (!(n > 0)) return Float64Array.from(from);
  const target = to.map((x) => x / n);
  const cos = Math.max(-1, Math.min(1, dot(from, target)));
  if (Math.acos(cos) <= maxAngle) return target;
  // The unit vector in the plane of from and target, perpendicular to from.
  let side = target.map((x, i) => x - cos * from[i]);
  if (norm(side) < 1e-9) side = fallback.map((x, i) => x - dot(fallback, from) * from[i]);
  const s = norm(side);
  if (!(s > 0)) return Float64Array.from(from);
  return from.map((x, i) => Math.cos(maxAngle) * x + Math.sin(maxAngle) * (side[i] / s));
}

export class DensityWalk {
  readonly whitening: Whitening;
  private readonly factors: GaussianFactor[];
  private readonly normal: () => number;
  private readonly steer: number;
  private readonly noiseLength: number;
  private readonly curvature: number;
  /** Where it is, in whitened coordinates. */
  private y: Float64Array;
  /** The unit heading, in whitened coordinates. */
  private u: Float64Array;
  /** The smooth noise: each coordinate a stationary OU process of variance 1. */
  private noise: Float64Array;

  constructor(
    private readonly density: LatentDensity,
    seed: number,
    options: WalkOptions = {},
  ) {
    const d = density.dim;
    this.whitening = whitening(density);
    this.factors = Array.from({ length: density.weights.length }, (_, c) => choleskyFactor(density.covariances, d, c * d * d));
    this.normal = seededNormal(seed);
    this.steer = options.steer ?? DEFAULT_STEER;
    this.noiseLength = options.noiseLength ?? DEFAULT_NOISE_LENGTH;
    this.curvature = options.curvature ?? DEFAULT_CURVATURE;
    const start = options.start && options.start.length === d ? options.start : null;
    this.y = start ? toWhite(this.whitening, start) : new Float64Array(d);
    this.noise = Float64Array.from({ length: d }, () => this.normal());
    const n = norm(this.noise);
    this.u = n > 0 ? this.noise.map((x) => x / n) : Float64Array.from({ length: d }, (_, a) => (a === 0 ? 1 : 0));
  }

  get dim(): number {
    return this.density.dim;
  }

  /** The current latent. */
  position(): Float32Array {
    return Float32Array.from(fromWhite(this.whitening, this.y));
  }

  /** The current heading (unit, whitened). */
  heading(): Float64Array {
    return Float64Array.from(this.u);
  }

  /** The largest turn a step of `step` σ may make. */
  maxTurn(step: number): number {
    return Math.min(MAX_TURN, Math.max(MIN_TURN, this.curvature * step));
  }

  /** Moves `step` standard deviations along the path; returns the new latent. */
  next(step: number): Float32Array {
    const d = this.dim;
    const rho = Math.exp(-Math.abs(step) / this.noiseLength);
    const fresh = Math.sqrt(1 - rho * rho);
    for (let a = 0; a < d; a++) this.noise[a] = rho * this.noise[a] + fresh * this.normal();
    const target = this.noise.map((x) => x / Math.sqrt(d));
    if (this.steer !== 0) {
      // The score in whitened coordinates is Lᵀ∇log p(z).
      const z = fromWhite(this.whitening, this.y);
      const g = densityScore(this.density, this.factors, z);
      const l = this.whitening.factor.lower;
      const scale = this.steer / Math.sqrt(d);
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let a = b; a < d; a++) s += l[a * d + b] * g[a];
        target[b] += scale * s;
      }
    }
    this.u = turnTowards(this.u, target, this.maxTurn(step), this.noise);
    for (let a = 0; a < d; a++) this.y[a] += step * this.u[a];
    return this.position();
  }
}

/**
 * One Gaussian fitted to the latent means (n × d), for a model without a fitted density; a small ridge
 * keeps the covariance positive definite when the means are degenerate.
 */
export function gaussianOfMeans(mu: ArrayLike<number>, d: number, n: number): LatentDensity {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += mu[i * d + a] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const da = mu[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (da * (mu[i * d + b] - mean[b])) / Math.max(1, n - 1);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a];
  const ridge = Math.max(1e-6, (1e-3 * trace) / d);
  for (let a = 0; a < d; a++) cov[a * d + a] += ridge;
  return { dim: d, weights: Float64Array.of(1), means: mean, covariances: cov, heldOutLogLikelihood: null, fittedOn: n };
}

/** N(0, I) of size d: the prior, when there are neither a fitted density nor means. */
export function standardDensity(d: number): LatentDensity {
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) cov[a * d + a] = 1;
  return { dim: d, weights: Float64Array.of(1), means: new Float64Array(d), covariances: cov, heldOutLogLikelihood: null, fittedOn: 0 };
}
