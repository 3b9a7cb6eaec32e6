/** Clustering off the UI thread (k-means for each k and n² silhouettes on the sample). */
import { fitClusters } from './cluster-fit';

export interface ClusterRequest {
  type: 'fit';
  mu: Float32Array;
  count: number;
  latentDim: number;
  sampleSize: number;
  kMax: number;
  seed: number;
}

export type ClusterMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; k: number; assignments: Int32Array; representatives: Int32Array; scores: { k: number; silhouette: number }[] }
  | { type: 'error'; message: string };

const post = (message: ClusterMessage, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

self.onmessage = (e: MessageEvent<ClusterRequest>): void => {
  const r = e.data;
  if (r?.type !== 'fit') return;
  try {
    const fit = fitClusters(r.mu, r.count, r.latentDim, { sampleSize: r.sampleSize, kMax: r.kMax, seed: r.seed }, (done, total) =>
      post({ type: 'progress', done, total }),
    );
    post({ type: 'result', ...fit }, [fit.assignments.buffer, fit.representatives.buffer]);
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};
