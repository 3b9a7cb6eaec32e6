/**
 * How the images share out among the labels: the count per label, and the one label that dominates
 * (then colouring by label separates the rest poorly, and the legend says so and offers to colour one
 * label only: that label in its colour, every other point grey).
 */

/** A label holding more than this share of the labelled images dominates. */
export const DOMINANT_SHARE = 0.5;

/** The grey of the points a one-label colouring leaves out (0…1 RGB). */
export const OTHER_LABELS_GREY: readonly [number, number, number] = [0.33, 0.35, 0.38];

/** Points per label (0 … labelCount − 1); unlabelled points (−1) and labels out of range are not counted. */
export function labelCounts(labels: Int32Array, count: number, labelCount: number): number[] {
  const out = new Array<number>(labelCount).fill(0);
  for (let i = 0; i < count; i++) if (labels[i] >= 0 && labels[i] < labelCount) out[labels[i]]++;
  return out;
}

/** The label holding more than `share` of the labelled images, with its share; null when none does or only one label exists. */
export function dominantLabel(counts: readonly number[], share = DOMINANT_SHARE): { label: number; share: number } | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.length < 2 || total === 0) return null;
  let label = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[label]) label = i;
  const s = counts[label] / total;
  return s > share ? { label, share: s } : null;
}

/** Label colours (count × 3) with every point but those of `label` grey, in place. */
export function greyAllBut(colors: Float32Array, labels: Int32Array, count: number, label: number): Float32Array {
  for (let i = 0; i < count; i++) if (labels[i] !== label) colors.set(OTHER_LABELS_GREY, i * 3);
  return colors;
}
