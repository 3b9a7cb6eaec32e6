/** Measures a layout's trustworthiness in a web worker; cancel() (or a newer run) ends one. */
import type { QualityRequest } from './quality.worker';

export interface QualityRun {
  cancel(): void;
}

export function measureInWorker(
  mu: Float32Array,
  latentDim: number,
  view: Float32Array,
  count: number,
  done: (value: number) => void,
  sampleSize = 1000,
  k = 10,
): QualityRun {
  const worker = new Worker(new URL('./quality.worker.ts', import.meta.url), { type: 'module', name: 'layout-quality' });
  let finished = false;
  const finish = (): void => {
    finished = true;
    worker.terminate();
  };
  worker.onmessage = (e: MessageEvent<number>) => {
    if (finished) return;
    finish();
    done(e.data);
  };
  worker.onerror = () => {
    if (!finished) finish();
  };
  const request: QualityRequest = { mu: mu.slice(0, count * latentDim), latentDim, view: view.slice(0, count * 3), count, sampleSize, k };
  worker.postMessage(request, [request.mu.buffer, request.view.buffer]);
  return { cancel: finish };
}
