/**
 * Where a dropped image sits in the current layout. A linear view (identity, PCA) places its μ exactly
 * as it places every point; UMAP has no map for a new point, so it goes to the mean of its nearest
 * training images' places (what UMAP's own `transform` approximates with its neighbour graph).
 */
import type { Vec3 } from '../../scene/types';
import { indexInLayout, type Layout } from '../layout';

export function droppedPosition(
  layout: Pick<Layout, 'kind' | 'view' | 'ids'>,
  mu: Float32Array,
  nearest: Int32Array,
  latentToView: (z: Float32Array) => Vec3 | null,
): Vec3 | null {
  if (layout.kind !== 'umap') return latentToView(mu);
  const sum: Vec3 = [0, 0, 0];
  let n = 0;
  for (const id of nearest) {
    const i = indexInLayout(layout as Layout, id);
    if (i === null) continue;
    for (let a = 0; a < 3; a++) sum[a] += layout.view[i * 3 + a];
    n++;
  }
  return n ? [sum[0] / n, sum[1] / n, sum[2] / n] : null;
}
