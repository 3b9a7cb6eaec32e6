/** Starts the clustering web worker (Vite bundles it from this URL). */
export function spawnClusterWorker(): Worker {
  return new Worker(new URL('./cluster.worker.ts', import.meta.url), { type: 'module', name: 'clusters' });
}
