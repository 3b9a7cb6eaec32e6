/** A layout's trustworthiness off the UI thread (n² distances on the sample: ~10⁸ operations for d = 20). */
import { evenSample, trustworthiness } from './trustworthiness';

export interface QualityRequest {
  mu: Float32Array;
  latentDim: number;
  /** count × 3. */
  view: Float32Array;
  count: number;
  sampleSize: number;
  k: number;
}

self.onmessage = (e: MessageEvent<QualityRequest>): void => {
  const r = e.data;
  let value = NaN;
  try {
    value = trustworthiness(r.mu, r.latentDim, r.view, 3, evenSample(r.count, r.sampleSize), r.k);
  } catch {
    // NaN: not measurable (the page shows nothing).
  }
  (self as unknown as Worker).postMessage(value);
};
