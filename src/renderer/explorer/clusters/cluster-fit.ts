/**
 * Clusters of the latent means: k-means (ml-kmeans, k-means++ seeded) for k = kMin…kMax on an even
 * sample, k chosen by the sample's mean silhouette, then the centroids refined on a larger sample and
 * every point assigned to the nearest. Each cluster's representative is its densest member: the one whose
 * m-th nearest fellow member (on the sample) is closest.
 */
import { kmeans } from 'ml-kmeans';
import { evenSample } from '../layouts/trustworthiness';

export interface ClusterFitOptions {
  kMin?: number;
  kMax?: number;
  /** Points k is chosen on (silhouettes cost the square of it). */
  sampleSize?: number;
  /** Points the chosen k's centroids are refined on. */
  refineSize?: number;
  seed?: number;
}

export interface ClusterFit {
  k: number;
  /** Each point's cluster, 0…k−1, numbered by size (0 the largest). */
  assignments: Int32Array;
  /** The mean silhouette of every k tried. */
  scores: { k: number; silhouette: number }[];
  /** Each cluster's densest member (a point index). */
  representatives: Int32Array;
}

function rowsOf(values: Float32Array, dim: number, indices: ArrayLike<number>): number[][] {
  return Array.from(indices, (i) => Array.from(values.subarray(i * dim, (i + 1) * dim)));
}

/** n × n Euclidean distances between rows. */
export function pairwiseDistances(rows: number[][]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      const a = rows[i];
      const b = rows[j];
      for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
      out[i * n + j] = out[j * n + i] = Math.sqrt(s);
    }
  return out;
}

/** The mean silhouette of an assignment (a singleton's silhouette is 0), from n × n distances. */
export function meanSilhouette(distances: Float64Array, n: number, assignment: ArrayLike<number>, k: number): number {
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) size[assignment[i]]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) sums[assignment[j]] += distances[i * n + j];
    const own = assignment[i];
    if (size[own] < 2) continue;
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
    if (Number.isFinite(b) && Math.max(a, b) > 0) total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** The centroid nearest point i of `values`. */
function nearest(values: Float32Array, dim: number, i: number, centroids: number[][]): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += (values[i * dim + k] - centroids[c][k]) ** 2;
    if (s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best;
}

/** Renumbers clusters by size, largest first, so colours and legend rows are stable. */
function bySize(assignments: Int32Array, k: number): Int32Array {
  const size = new Array<number>(k).fill(0);
  for (const a of assignments) size[a]++;
  const order = Array.from({ length: k }, (_, c) => c).sort((x, y) => size[y] - size[x] || x - y);
  const rank = new Int32Array(k);
  order.forEach((c, r) => (rank[c] = r));
  return assignments.map((a) => rank[a]);
}

/** Each cluster's densest member among the sampled points (its m-th nearest member is closest). */
function densestMembers(distances: Float64Array, sample: Int32Array, assignments: Int32Array, k: number, m = 10): Int32Array {
  const n = sample.length;
  const out = new Int32Array(k).fill(-1);
  const best = new Float64Array(k).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const c = assignments[sample[i]];
    const own: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i && assignments[sample[j]] === c) own.push(distances[i * n + j]);
    own.sort((x, y) => x - y);
    const radius = own.length ? own[Math.min(m, own.length) - 1] : Infinity;
    if (radius < best[c] || out[c] < 0) {
      best[c] = radius;
      out[c] = sample[i];
    }
  }
  // A cluster with no sampled member: its first point.
  for (let c = 0; c < k; c++) if (out[c] < 0) out[c] = assignments.indexOf(c);
  return out;
}

export function fitClusters(
  values: Float32Array,
  count: number,
  dim: number,
  options: ClusterFitOptions = {},
  onProgress: (done: number, total: number) => void = () => {},
): ClusterFit {
  const { kMin = 2, kMax = 12, sampleSize = 1500, refineSize = 20000, seed = 1 } = options;
  if (count < kMin + 1) throw new Error(`clustering needs at least ${kMin + 1} points`);
  const sample = evenSample(count, sampleSize);
  const rows = rowsOf(values, dim, sample);
  const distances = pairwiseDistances(rows);
  const top = Math.min(kMax, rows.length - 1);
  const total = top - kMin + 2;
  const scores: { k: number; silhouette: number }[] = [];
  let bestCentroids: number[][] = [];
  let bestScore = -Infinity;
  for (let k = kMin; k <= top; k++) {
    const fit = kmeans(rows, k, { initialization: 'kmeans++', seed: seed + k, maxIterations: 100 });
    const silhouette = meanSilhouette(distances, rows.length, fit.clusters, k);
    scores.push({ k, silhouette });
    if (silhouette > bestScore) {
      bestScore = silhouette;
      bestCentroids = fit.centroids;
    }
    onProgress(k - kMin + 1, total);
  }
  const k = bestCentroids.length;
  // The centroids refined on a larger sample, then every point to its nearest.
  const refined = kmeans(rowsOf(values, dim, evenSample(count, refineSize)), k, { initialization: bestCentroids, maxIterations: 30 });
  const raw = Int32Array.from({ length: count }, (_, i) => nearest(values, dim, i, refined.centroids));
  const assignments = bySize(raw, k);
  onProgress(total, total);
  return { k, assignments, scores, representatives: densestMembers(distances, sample, assignments, k) };
}
