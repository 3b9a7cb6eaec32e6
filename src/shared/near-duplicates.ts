/**
 * The closest pairs of points (near-duplicates among latent means) without comparing all n² pairs:
 * the points are sorted along a few seeded random directions and each is compared with the next
 * `window` points of every order. Two copies (distance 0) sit side by side in every order, so they are
 * always found; a close pair is found unless every direction separates it by more than `window` points.
 */
import { seededNormal } from './latent-density';

export interface ClosePair {
  /** The two points (a < b). */
  a: number;
  b: number;
  /** Their Euclidean distance. */
  distance: number;
}

export interface ClosePairOptions {
  /** How many pairs come back (the closest first). */
  pairs?: number;
  directions?: number;
  window?: number;
  seed?: number;
}

export function closestPairs(values: ArrayLike<number>, count: number, dim: number, options: ClosePairOptions = {}): ClosePair[] {
  const { pairs = 100, directions = 8, window = 24, seed = 7 } = options;
  const normal = seededNormal(seed);
  // The best pairs so far; a pair farther than `worst` (the farthest kept after a prune) cannot make the list.
  const seen = new Map<number, number>();
  let worst = Infinity;
  const proj = new Float64Array(count);
  const order = new Int32Array(count);
  for (let r = 0; r < directions; r++) {
    const dir = Array.from({ length: dim }, () => normal());
    for (let i = 0; i < count; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += dir[j] * values[i * dim + j];
      proj[i] = s;
      order[i] = i;
    }
    order.sort((x, y) => proj[x] - proj[y]);
    for (let p = 0; p < count; p++) {
      const i = order[p];
      for (let q = p + 1; q < Math.min(count, p + 1 + window); q++) {
        const j = order[q];
        const key = i < j ? i * count + j : j * count + i;
        if (seen.has(key)) continue;
        let d2 = 0;
        for (let k = 0; k < dim && d2 <= worst; k++) d2 += (values[i * dim + k] - values[j * dim + k]) ** 2;
        if (d2 > worst) continue;
        seen.set(key, d2);
        if (seen.size > 20 * pairs) worst = prune(seen, 2 * pairs);
      }
    }
  }
  return [...seen]
    .sort((x, y) => x[1] - y[1])
    .slice(0, pairs)
    .map(([key, d2]) => ({ a: Math.floor(key / count), b: key % count, distance: Math.sqrt(d2) }));
}

/** Keeps the `keep` closest pairs; returns the farthest distance² kept. */
function prune(seen: Map<number, number>, keep: number): number {
  const kept = [...seen].sort((x, y) => x[1] - y[1]).slice(0, keep);
  seen.clear();
  for (const [k, v] of kept) seen.set(k, v);
  return kept[kept.length - 1][1];
}
