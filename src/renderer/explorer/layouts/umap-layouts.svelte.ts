/**
 * UMAP views of the embeddings: the settings (how many points it is fitted on, n_neighbors,
 * min_dist), the run in its web worker (progress, cancel; one at a time) and the finished layouts
 * (kept per embeddings, settings and 2D/3D, so switching back is instant).
 */
import type { Embeddings } from '../../../shared/contract';
import { runUmap, type UmapRun } from './umap';

export interface UmapSettings {
  sampleSize: number;
  nNeighbors: number;
  minDist: number;
}

/** The sample sizes offered; fitting costs grow faster than linearly with it. */
export const UMAP_SAMPLE_SIZES = [2000, 5000, 10000, 20000] as const;

export interface UmapHandlers {
  busy(text: string | null): void;
  /** A streamed layout (`first` of the run, `final` when the fit is done). */
  layout(view: Float32Array, first: boolean, final: boolean): void;
  error(message: string): void;
}

export class UmapLayouts {
  settings = $state<UmapSettings>({ sampleSize: 2000, nNeighbors: 15, minDist: 0.15 });
  /** Whether a fit is running (the Cancel button shows). */
  running = $state(false);
  private run: UmapRun | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private cache, read on demand, never rendered
  private finished = new Map<string, Float32Array>();

  /** What a layout depends on besides the points. */
  key(embeddingsKey: string, dims: 2 | 3): string {
    const s = this.settings;
    return `${embeddingsKey}|${dims}|${s.sampleSize}|${s.nNeighbors}|${s.minDist}`;
  }

  cached(key: string): Float32Array | null {
    return this.finished.get(key) ?? null;
  }

  start(e: Embeddings, key: string, dims: 2 | 3, on: UmapHandlers): void {
    this.cancel();
    on.busy('UMAP: finding neighbours…');
    this.running = true;
    let first = true;
    const { sampleSize, nNeighbors, minDist } = this.settings;
    const run = runUmap(
      e.mu,
      e.count,
      e.latentDim,
      {
        onProgress: (stage, done, total) => {
          const pct = total ? Math.round((100 * done) / total) : 0;
          on.busy(stage === 'neighbours' ? 'UMAP: finding neighbours…' : stage === 'placing' ? `UMAP: placing points ${pct}%` : `UMAP: optimising ${pct}%`);
        },
        onLayout: (view, final) => {
          if (this.run !== run) return;
          on.layout(view, first, final);
          first = false;
          if (final) {
            this.finished.set(key, view);
            this.end(on);
          }
        },
        onError: (message) => {
          if (this.run !== run) return;
          this.end(on);
          on.error(message);
        },
      },
      { sampleSize, nNeighbors, minDist, dims },
    );
    this.run = run;
  }

  private end(on: UmapHandlers): void {
    this.run = null;
    this.running = false;
    on.busy(null);
  }

  /** Stops a running fit; true when one ran. */
  cancel(): boolean {
    if (!this.run) return false;
    this.run.cancel();
    this.run = null;
    this.running = false;
    return true;
  }

  /** Forgets the finished layouts (the points changed). */
  forget(): void {
    this.cancel();
    this.finished.clear();
  }
}
