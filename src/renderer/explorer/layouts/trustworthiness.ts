/**
 * How faithful a layout is: trustworthiness (Venna & Kaski), the share of each point's k nearest
 * neighbours in the view that are also near it in latent space, penalised by how far down the
 * latent ranking the intruders are. 1 is perfect; a random layout is about 0.5.
 *
 *   T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} (r(i, j) − k)
 *
 * where Uₖ(i) are i's k nearest in the view that are not among its k nearest in latent space and
 * r(i, j) is j's rank among i's neighbours in latent space. Exact on an even sample of n points
 * (n² distances), so it costs the same for 2,000 points or 1,000,000.
 */

/** Indices of an even sample of `n` of `count` points. */
export function evenSample(count: number, n: number): Int32Array {
  const m = Math.min(count, n);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * count) / m));
}

/** Squared distances from row i to every sampled row, in the space of `values` (dim numbers per point). */
function distancesFrom(values: ArrayLike<number>, dim: number, sample: Int32Array, i: number, out: Float64Array): void {
  const a = sample[i] * dim;
  for (let s = 0; s < sample.length; s++) {
    const b = sample[s] * dim;
    let d2 = 0;
    for (let j = 0; j < dim; j++) {
      const t = values[a + j] - values[b + j];
      d2 += t * t;
    }
    out[s] = d2;
  }
  out[i] = Infinity; // a point is not its own neighbour
}

export function trustworthiness(latents: ArrayLike<number>, latentDim: number, view: ArrayLike<number>, viewDim: number, sample: Int32Array, k = 10): number {
  const n = sample.length;
  if (n < 2 * k + 2) return NaN;
  const latentD = new Float64Array(n);
  const viewD = new Float64Array(n);
  const nearD = new Float64Array(k);
  const nearI = new Int32Array(k);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    distancesFrom(latents, latentDim, sample, i, latentD);
    distancesFrom(view, viewDim, sample, i, viewD);
    // The k nearest in the view (insertion into a sorted k-list: O(n·k), no sort of n).
    nearD.fill(Infinity);
    for (let s = 0; s < n; s++) {
      const v = viewD[s];
      if (v >= nearD[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && nearD[p - 1] > v) {
        nearD[p] = nearD[p - 1];
        nearI[p] = nearI[p - 1];
        p--;
      }
      nearD[p] = v;
      nearI[p] = s;
    }
    // Each one's rank in latent space (1 = nearest; ties go to the lower index).
    for (let r = 0; r < k; r++) {
      const j = nearI[r];
      const dj = latentD[j];
      let rank = 1;
      for (let s = 0; s < n; s++) if (latentD[s] < dj || (latentD[s] === dj && s < j)) rank++;
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
