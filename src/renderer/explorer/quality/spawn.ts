/** Starts the quality lists' web worker (Vite bundles it from this URL). */
export function spawnQualityWorker(): Worker {
  return new Worker(new URL('./quality.worker.ts', import.meta.url), { type: 'module', name: 'quality-lists' });
}
