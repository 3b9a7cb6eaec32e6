/**
 * Point colours: one per label (Tableau 10, then evenly spaced hues), or a perceptual colour map
 * (viridis) over a per-point value such as the reconstruction error or the KL.
 */
const TABLEAU = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const UNLABELLED = '#7d8590';

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}

function hslToHex(h: number, s: number, l: number): string {
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    const c = l - a * Math.max(-1, Math.min(k - 3, Math.min(9 - k, 1)));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** The CSS colour of label i (−1: unlabelled). */
export function labelColor(i: number): string {
  if (i < 0) return UNLABELLED;
  if (i < TABLEAU.length) return TABLEAU[i];
  // Golden-angle hues for datasets with many classes.
  return hslToHex((i * 137.508) % 360, 0.55, 0.6);
}

export function labelColors(labels: Int32Array, count: number): Float32Array {
  const cache = new Map<number, [number, number, number]>();
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    let c = cache.get(l);
    if (!c) cache.set(l, (c = hexToRgb(labelColor(l))));
    out[i * 3] = c[0];
    out[i * 3 + 1] = c[1];
    out[i * 3 + 2] = c[2];
  }
  return out;
}

// viridis, 9 stops.
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'].map(hexToRgb);

export function colormap(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The CSS gradient of the colour map (for the legend). */
export const COLORMAP_CSS = `linear-gradient(to right, ${['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'].join(', ')})`;

/** The 2nd and 98th percentiles: a range that outliers do not wash out. */
export function robustRange(values: Float32Array): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 20000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) sample.push(values[i]);
  if (!sample.length) return [0, 1];
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(sample.length * 0.02)];
  const hi = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.98))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function valueColors(values: Float32Array, count: number, range: [number, number]): Float32Array {
  const out = new Float32Array(count * 3);
  const [lo, hi] = range;
  for (let i = 0; i < count; i++) out.set(colormap((values[i] - lo) / (hi - lo)), i * 3);
  return out;
}
