/** Runs a UMAP fit in its own web worker; starting another (or cancel) ends the previous one. */
import type { UmapFitRequest, UmapMessage } from './umap.worker';

export interface UmapRun {
  cancel(): void;
}

export interface UmapHandlers {
  onProgress(stage: 'neighbours' | 'placing' | 'layout', done: number, total: number): void;
  onLayout(view: Float32Array, final: boolean, info: { epoch: number; epochs: number; sampleSize: number }): void;
  onError(message: string): void;
}

export interface UmapOptions {
  /** Points UMAP is fitted on (the rest are placed by their nearest fitted neighbours). */
  sampleSize?: number;
  epochs?: number;
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
  dims?: 2 | 3;
}

export function runUmap(mu: Float32Array, count: number, latentDim: number, handlers: UmapHandlers, options: UmapOptions = {}): UmapRun {
  const worker = new Worker(new URL('./umap.worker.ts', import.meta.url), { type: 'module', name: 'umap' });
  let done = false;
  const finish = (): void => {
    done = true;
    worker.terminate();
  };
  worker.onmessage = (e: MessageEvent<UmapMessage>) => {
    if (done) return;
    const m = e.data;
    if (m.type === 'progress') handlers.onProgress(m.stage, m.done, m.total);
    else if (m.type === 'layout') {
      handlers.onLayout(m.view, m.final, { epoch: m.epoch, epochs: m.epochs, sampleSize: m.sampleSize });
      if (m.final) finish();
    } else {
      handlers.onError(m.message);
      finish();
    }
  };
  worker.onerror = (e) => {
    if (done) return;
    handlers.onError(e.message || 'the UMAP worker failed');
    finish();
  };
  const request: UmapFitRequest = {
    type: 'fit',
    mu: mu.slice(0, count * latentDim),
    count,
    latentDim,
    sampleSize: options.sampleSize ?? 2000,
    epochs: options.epochs ?? 150,
    seed: options.seed ?? 42,
    nNeighbors: options.nNeighbors ?? 15,
    minDist: options.minDist ?? 0.15,
    dims: options.dims ?? 3,
  };
  worker.postMessage(request, [request.mu.buffer]);
  return { cancel: finish };
}
