/** The colour of each point: by label, or by a per-point measure (reconstruction error, KL) through a colour map. */
import type { PointStats } from '../../shared/contract';
import { labelColors, robustRange, valueColors } from '../scene/colors';
import type { Layout, PointColoring } from './layout';

export function pointColors(layout: Layout, coloring: PointColoring, stats: PointStats | null): Float32Array {
  // A measure only colours the embeddings it was computed for (not a training snapshot).
  if (coloring === 'label' || !stats || layout.source !== 'embeddings' || stats.count !== layout.count) return labelColors(layout.labels, layout.count);
  const values = coloring === 'recon' ? stats.recon : stats.kl;
  return valueColors(values, layout.count, robustRange(values));
}
