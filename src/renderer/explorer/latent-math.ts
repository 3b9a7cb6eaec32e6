/**
 * Small latent-space arithmetic the page does itself (no round trip): rows of the embeddings, group
 * means of μ, the direction between two groups, moving a point along it. Pure functions on typed
 * arrays (tested in Node).
 */
export interface EmbeddingsLike {
  count: number;
  latentDim: number;
  ids: Int32Array;
  labels: Int32Array;
  mu: Float32Array;
}

/** The row of dataset index `id` in the embeddings (ids are usually 0…n−1 in order), or −1. */
export function rowOf(e: EmbeddingsLike, id: number): number {
  if (id >= 0 && id < e.count && e.ids[id] === id) return id;
  for (let i = 0; i < e.count; i++) if (e.ids[i] === id) return i;
  return -1;
}

/** μ of one row (a copy). */
export function muOf(e: EmbeddingsLike, row: number): Float32Array {
  const d = e.latentDim;
  return e.mu.slice(row * d, (row + 1) * d);
}

/** Rows whose label is one of `labels`. */
export function rowsWithLabels(e: EmbeddingsLike, labels: readonly number[]): number[] {
  const wanted = new Set(labels);
  const rows: number[] = [];
  for (let i = 0; i < e.count; i++) if (wanted.has(e.labels[i])) rows.push(i);
  return rows;
}

/** Mean of μ over `rows` (accumulated in float64), or null for an empty group. */
export function groupMean(e: EmbeddingsLike, rows: readonly number[]): Float32Array | null {
  if (!rows.length) return null;
  const d = e.latentDim;
  const sum = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) sum[j] += e.mu[r * d + j];
  const mean = new Float32Array(d);
  for (let j = 0; j < d; j++) mean[j] = sum[j] / rows.length;
  return mean;
}

/** The direction from group A's mean to group B's: mean(B) − mean(A). */
export function difference(meanA: Float32Array, meanB: Float32Array): Float32Array {
  if (meanA.length !== meanB.length) throw new Error(`the means differ in size (${meanA.length} and ${meanB.length})`);
  const out = new Float32Array(meanA.length);
  for (let j = 0; j < out.length; j++) out[j] = meanB[j] - meanA[j];
  return out;
}

/** z + t · direction. */
export function moveAlong(z: Float32Array, direction: Float32Array, t: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let j = 0; j < z.length; j++) out[j] = z[j] + t * direction[j];
  return out;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Parses a typed latent vector ("0.5, -1, 2", "[0.5; -1 2]") of exactly d numbers: a vector of
 * another length, or a part that is not a number, is refused with a message saying so (never padded).
 */
export function parseLatent(text: string, d: number): { z: Float32Array } | { error: string } {
  const parts = text.split(/[\s,;[\]]+/).filter(Boolean);
  const bad = parts.find((p) => !Number.isFinite(Number(p)));
  if (bad !== undefined) return { error: `"${bad.slice(0, 20)}" is not a number: type ${d} numbers separated by commas` };
  if (parts.length !== d) return { error: `the model's latent vector has ${d} numbers, not ${parts.length}: type ${d} numbers separated by commas` };
  return { z: Float32Array.from(parts, Number) };
}

/** Parses "0.5, -1 2" into exactly d numbers (missing ones 0), or null if something is not a number. */
export function parseVector(text: string, d: number): Float32Array | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length > d) return null;
  const z = new Float32Array(d);
  for (let j = 0; j < parts.length; j++) {
    const v = Number(parts[j]);
    if (!Number.isFinite(v)) return null;
    z[j] = v;
  }
  return z;
}
