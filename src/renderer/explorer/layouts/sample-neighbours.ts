/**
 * Each point's nearest points among a sample (in latent space), for placing the points a UMAP fit
 * did not include. A brute-force scan costs count × sample × d: for 70,000 points against a
 * 20,000-point fit that is ~3·10¹⁰ operations, so larger samples go through an inverted file: the
 * sample is split into √m lists around √m of its own points, and each query scans the lists of its
 * `probes` closest centres only (approximate: a true neighbour in an unvisited list can be missed,
 * which costs a slightly worse placement, never a wrong index).
 */
import { insertNearest } from '../../../shared/point-index';

export interface SampleNeighbours {
  /** count × k indices into the sample. */
  knn: Int32Array;
  /** count × k squared distances (ascending). */
  distances: Float64Array;
}

const BRUTE_FORCE_BELOW = 3000;

function sqDist(mu: Float32Array, a: number, b: number, d: number, limit: number): number {
  let s = 0;
  for (let j = 0; j < d && s < limit; j++) {
    const t = mu[a + j] - mu[b + j];
    s += t * t;
  }
  return s;
}

export function nearestSampled(
  mu: Float32Array,
  count: number,
  d: number,
  sample: Int32Array,
  k: number,
  progress: (done: number) => void = () => {},
  probes = 8,
): SampleNeighbours {
  const m = sample.length;
  const knn = new Int32Array(count * k);
  const distances = new Float64Array(count * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);

  // The lists: centres are evenly spread sample points; each sampled point joins its nearest centre.
  const centres = m < BRUTE_FORCE_BELOW ? 1 : Math.round(Math.sqrt(m));
  const centreOf = new Int32Array(centres).map((_, c) => sample[Math.floor((c * m) / centres)]);
  const listOf = new Int32Array(m);
  if (centres > 1) {
    for (let s = 0; s < m; s++) {
      let best = Infinity;
      for (let c = 0; c < centres; c++) {
        const dist = sqDist(mu, sample[s] * d, centreOf[c] * d, d, best);
        if (dist < best) {
          best = dist;
          listOf[s] = c;
        }
      }
    }
  }
  const listStart = new Int32Array(centres + 1);
  for (let s = 0; s < m; s++) listStart[listOf[s] + 1]++;
  for (let c = 0; c < centres; c++) listStart[c + 1] += listStart[c];
  const members = new Int32Array(m);
  const fill = listStart.slice(0, centres);
  for (let s = 0; s < m; s++) members[fill[listOf[s]]++] = s;

  const nProbe = Math.min(probes, centres);
  const probeD = new Float64Array(nProbe);
  const probeI = new Int32Array(nProbe);
  for (let i = 0; i < count; i++) {
    const base = i * d;
    probeD.fill(Infinity);
    for (let c = 0; c < centres; c++) {
      const dist = centres === 1 ? 0 : sqDist(mu, base, centreOf[c] * d, d, probeD[nProbe - 1]);
      if (dist < probeD[nProbe - 1]) insertNearest(probeD, probeI, dist, c);
    }
    bestD.fill(Infinity);
    bestI.fill(0);
    for (let p = 0; p < nProbe; p++) {
      const c = probeI[p];
      for (let q = listStart[c]; q < listStart[c + 1]; q++) {
        const s = members[q];
        const dist = sqDist(mu, base, sample[s] * d, d, bestD[k - 1]);
        if (dist < bestD[k - 1]) insertNearest(bestD, bestI, dist, s);
      }
    }
    knn.set(bestI, i * k);
    distances.set(bestD, i * k);
    if (i % 5000 === 4999) progress(i + 1);
  }
  return { knn, distances };
}
