/**
 * The quality views' rankings: the worst reconstructions, the outliers (lowest log-density under the
 * model's fitted latent density, or, without one, the largest distance to the k-th nearest of an even
 * sample), and the near-duplicates (closest pairs of latent means, shared/near-duplicates.ts).
 */
import { densityLogPdf, type LatentDensity } from '../../../shared/latent-density';
import { evenSample } from '../layouts/trustworthiness';

export interface RankedPoint {
  index: number;
  value: number;
}

/** The `n` points with the largest `values` (largest first). */
export function largest(values: ArrayLike<number>, count: number, n: number): RankedPoint[] {
  const order = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  return Array.from(order.subarray(0, Math.min(n, count)), (index) => ({ index, value: values[index] }));
}

/** Each point's log-density under the fitted density. */
export function logDensities(mu: Float32Array, count: number, dim: number, density: LatentDensity): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = densityLogPdf(density, mu.subarray(i * dim, (i + 1) * dim));
  return out;
}

/** Each point's distance to its k-th nearest point of an even sample (itself left out). */
export function knnDistances(mu: Float32Array, count: number, dim: number, k = 10, sampleSize = 2000): Float64Array {
  const sample = evenSample(count, sampleSize);
  const kk = Math.min(k, sample.length - 1);
  const out = new Float64Array(count);
  const best = new Float64Array(kk);
  for (let i = 0; i < count; i++) {
    best.fill(Infinity);
    for (const j of sample) {
      if (j === i) continue;
      let d2 = 0;
      for (let t = 0; t < dim && d2 < best[kk - 1]; t++) d2 += (mu[i * dim + t] - mu[j * dim + t]) ** 2;
      if (d2 >= best[kk - 1]) continue;
      // Insertion into the sorted k best.
      let p = kk - 1;
      while (p > 0 && best[p - 1] > d2) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = d2;
    }
    out[i] = Math.sqrt(best[kk - 1]);
  }
  return out;
}

/**
 * The `n` most outlying points: the lowest log-density under `density`, or (null) the largest
 * k-NN distance. `value` is the log-density or the distance.
 */
export function outliers(mu: Float32Array, count: number, dim: number, density: LatentDensity | null, n: number): RankedPoint[] {
  if (density && density.dim === dim) {
    const logp = logDensities(mu, count, dim, density);
    return largest(
      logp.map((v) => -v),
      count,
      n,
    ).map((r) => ({ index: r.index, value: -r.value }));
  }
  return largest(knnDistances(mu, count, dim), count, n);
}

/** The RMS difference of two images' pixels, in levels of 255 (null: not the same size). */
export function pixelDistance(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length || !a.length) return null;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

/**
 * The density as plain data with its own arrays, or null: the session's model is reactive state, and a
 * worker message cannot carry its proxies (postMessage throws DataCloneError).
 */
export function plainDensity(d: LatentDensity | undefined): LatentDensity | null {
  if (!d) return null;
  return {
    dim: d.dim,
    weights: Float64Array.from(d.weights),
    means: Float64Array.from(d.means),
    covariances: Float64Array.from(d.covariances),
    heldOutLogLikelihood: d.heldOutLogLikelihood,
    fittedOn: d.fittedOn,
  };
}
