/** The outlier and near-duplicate rankings off the UI thread (k-NN against a sample; sorted projections). */
import type { LatentDensity } from '../../../shared/latent-density';
import { closestPairs, type ClosePair } from '../../../shared/near-duplicates';
import { outliers, type RankedPoint } from './quality-lists';

export interface QualityListRequest {
  kind: 'outliers' | 'duplicates';
  mu: Float32Array;
  count: number;
  latentDim: number;
  /** The model's fitted latent density (null: rank outliers by k-NN distance). */
  density: LatentDensity | null;
  n: number;
}

export type QualityListMessage =
  { kind: 'outliers'; ranked: RankedPoint[]; by: 'density' | 'knn' } | { kind: 'duplicates'; pairs: ClosePair[] } | { kind: 'error'; message: string };

self.onmessage = (e: MessageEvent<QualityListRequest>): void => {
  const r = e.data;
  const post = (m: QualityListMessage): void => (self as unknown as Worker).postMessage(m);
  try {
    if (r.kind === 'duplicates') post({ kind: 'duplicates', pairs: closestPairs(r.mu, r.count, r.latentDim, { pairs: r.n }) });
    else {
      const density = r.density;
      const by = density && density.dim === r.latentDim ? 'density' : 'knn';
      post({ kind: 'outliers', ranked: outliers(r.mu, r.count, r.latentDim, density, r.n), by });
    }
  } catch (err) {
    post({ kind: 'error', message: (err as Error).message });
  }
};
