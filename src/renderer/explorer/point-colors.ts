/** The colour of each point: by label, or by a per-point measure (reconstruction error, KL) through a colour map. */
import type { PointStats } from '../../shared/contract';
import { RECON_ERROR_UNIT } from '../../shared/headline-figures';
import { labelColors, robustRange, valueColors } from '../scene/colors';
import type { Layout, PointColoring } from './layout';
import { greyAllBut } from './label-share';

/** The measure a colouring shows, the range its colour map spans and its unit. */
export interface ColoringMeasure {
  values: Float32Array;
  range: [number, number];
  unit: string;
  /** The low end is a floor (an error of 0), not a clipped value. */
  fromZero: boolean;
}

/**
 * Reconstruction error: the RMS error in levels of 255, from 0 (a perfect reconstruction) to the upper
 * end of its spread (never negative, unlike the −log p in nats, which a learned scale makes negative).
 * KL: its own spread, in nats.
 */
export function coloringMeasure(stats: PointStats, coloring: 'recon' | 'kl'): ColoringMeasure {
  if (coloring === 'recon') {
    const hi = robustRange(stats.rmse)[1];
    return { values: stats.rmse, range: [0, hi > 0 ? hi : 1], unit: RECON_ERROR_UNIT, fromZero: true };
  }
  return { values: stats.kl, range: robustRange(stats.kl), unit: 'nats', fromZero: false };
}

/**
 * `clusters`: each point's cluster (null: not found yet; the labels colour meanwhile). `onlyLabel`: colour
 * by label with only that label in colour, the rest grey (null: every label).
 */
export function pointColors(
  layout: Layout,
  coloring: PointColoring,
  stats: PointStats | null,
  clusters: Int32Array | null = null,
  onlyLabel: number | null = null,
): Float32Array {
  if (coloring === 'cluster')
    return clusters && clusters.length === layout.count ? labelColors(clusters, layout.count) : labelColors(layout.labels, layout.count);
  if (coloring === 'label' && onlyLabel !== null) return greyAllBut(labelColors(layout.labels, layout.count), layout.labels, layout.count, onlyLabel);
  // A measure only colours the embeddings it was computed for (not a training snapshot).
  if (coloring === 'label' || !stats || layout.source !== 'embeddings' || stats.count !== layout.count) return labelColors(layout.labels, layout.count);
  const { values, range } = coloringMeasure(stats, coloring);
  return valueColors(values, layout.count, range);
}
