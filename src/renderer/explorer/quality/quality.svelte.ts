/**
 * The quality views: ranked lists of the open model's points (the worst reconstructions, the outliers,
 * the near-duplicate pairs with their thumbnails' pixel distance). The rankings that cost n·sample or
 * n·log n work run in a web worker; a list is computed once per points and kind.
 */
import type { LatentDensity } from '../../../shared/latent-density';
import type { Session } from '../../shell/session';
import type { Layout } from '../layout';
import type { PointStyle } from '../point-style.svelte';
import type { ThumbnailAtlas } from '../thumbnails';
import { largest, pixelDistance, plainDensity } from './quality-lists';
import type { QualityListMessage, QualityListRequest } from './quality.worker';
import { spawnQualityWorker } from './spawn';

export type QualityKind = 'worst' | 'outliers' | 'duplicates';

export interface QualityRow {
  /** The point (a layout index). */
  index: number;
  /** Its near-duplicate (duplicates only). */
  other: number | null;
  /** Recon error (levels of 255), log-density (nats) or k-NN distance, or the pair's latent distance. */
  value: number;
  /** The pair's thumbnails' RMS pixel distance, levels of 255 (duplicates; null until measured). */
  pixels: number | null;
}

/** Rows in a list. */
export const QUALITY_ROWS = 100;

export class QualityState {
  kind = $state<QualityKind | null>(null);
  rows = $state.raw<QualityRow[]>([]);
  /** What the value column holds ("recon error", "log-density", "k-NN distance", "latent distance"). */
  measure = $state('');
  busy = $state<string | null>(null);
  private worker: Worker | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private cache, read on demand, never rendered
  private cache = new Map<QualityKind, { mu: Float32Array; rows: QualityRow[]; measure: string }>();

  constructor(
    private readonly app: Pick<Session, 'notify'> & { readonly model: { latentDensity?: LatentDensity } | null },
    private readonly view: { readonly layout: Layout | null; readonly style: PointStyle; readonly thumbnails: ThumbnailAtlas },
  ) {}

  /** Shows list `kind` (computing it when it is not known for these points); again: closes it. */
  async toggle(kind: QualityKind): Promise<void> {
    if (this.kind === kind) return this.close();
    await this.open(kind);
  }

  async open(kind: QualityKind): Promise<void> {
    const l = this.view.layout;
    this.kind = kind;
    this.rows = [];
    if (!l || l.source !== 'embeddings') {
      this.app.notify('info', 'the quality views need the points of a model (not the live training view)');
      return;
    }
    const known = this.cache.get(kind);
    if (known && known.mu === l.mu) return this.show(kind, known.rows, known.measure);
    this.stopWorker();
    if (kind === 'worst') return this.openWorst(l);
    this.busy = kind === 'outliers' ? 'ranking outliers…' : 'finding near-duplicates…';
    const worker = spawnQualityWorker();
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<QualityListMessage>) => {
      if (this.worker !== worker) return;
      this.stopWorker();
      const m = e.data;
      if (m.kind === 'error') this.app.notify('error', `could not rank the points: ${m.message}`);
      else if (m.kind === 'outliers') {
        const rows = m.ranked.map((r) => ({ index: r.index, other: null, value: r.value, pixels: null }));
        this.remember(kind, l, rows, m.by === 'density' ? 'log-density (nats)' : 'distance to 10th neighbour');
      } else {
        const rows = m.pairs.map((p) => ({ index: p.a, other: p.b, value: p.distance, pixels: null }));
        this.remember(kind, l, rows, 'latent distance');
        void this.measurePixels(l, rows);
      }
    };
    worker.onerror = (e) => {
      if (this.worker !== worker) return;
      this.stopWorker();
      this.app.notify('error', `could not rank the points: ${e.message || 'the worker failed'}`);
    };
    const request: QualityListRequest = {
      kind,
      mu: l.mu.slice(0, l.count * l.latentDim),
      count: l.count,
      latentDim: l.latentDim,
      // A plain copy: the session's model is reactive state, whose proxies a worker message cannot carry.
      density: plainDensity(this.app.model?.latentDensity),
      n: QUALITY_ROWS,
    };
    try {
      worker.postMessage(request, [request.mu.buffer]);
    } catch (err) {
      this.stopWorker();
      this.app.notify('error', `could not rank the points: ${(err as Error).message}`);
    }
  }

  private async openWorst(l: Layout): Promise<void> {
    this.busy = 'measuring every point…';
    await this.view.style.loadStats();
    this.busy = null;
    const stats = this.view.style.stats;
    if (this.kind !== 'worst' || this.view.layout?.mu !== l.mu) return;
    if (!stats || stats.count !== l.count) return;
    const rows = largest(stats.rmse, l.count, QUALITY_ROWS).map((r) => ({ index: r.index, other: null, value: r.value, pixels: null }));
    this.remember('worst', l, rows, 'recon error (RMS, levels of 255)');
  }

  private remember(kind: QualityKind, l: Layout, rows: QualityRow[], measure: string): void {
    this.cache.set(kind, { mu: l.mu, rows, measure });
    if (this.kind === kind && this.view.layout?.mu === l.mu) this.show(kind, rows, measure);
  }

  private show(kind: QualityKind, rows: QualityRow[], measure: string): void {
    this.kind = kind;
    this.rows = rows;
    this.measure = measure;
  }

  /**
   * The pairs' pixel distances, from the dataset's thumbnails: read in image order, so each atlas page
   * (1,024 thumbnails) is fetched once, not once per pair.
   */
  private async measurePixels(l: Layout, rows: QualityRow[]): Promise<void> {
    const images = rows
      .flatMap((r) => [l.ids[r.index], l.ids[r.other ?? r.index]])
      .sort((a, b) => a - b)
      .filter((v, i, all) => i === 0 || v !== all[i - 1]);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a temporary, never rendered
    const pixels = new Map<number, Uint8Array | null>();
    for (const [done, image] of images.entries()) {
      if (this.view.layout?.mu !== l.mu) return;
      if (this.kind === 'duplicates') this.busy = `pixel distances ${Math.round((100 * done) / images.length)} %`;
      pixels.set(image, await this.view.thumbnails.pixels(image));
    }
    if (this.kind === 'duplicates') this.busy = null;
    const measured = rows.map((r) => {
      const a = pixels.get(l.ids[r.index]);
      const b = pixels.get(l.ids[r.other ?? r.index]);
      return { ...r, pixels: a && b ? pixelDistance(a, b) : null };
    });
    this.remember('duplicates', l, measured, 'latent distance');
  }

  close(): void {
    this.stopWorker();
    this.kind = null;
    this.rows = [];
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    this.busy = null;
  }

  /** Other points: the lists were the old ones'. */
  forget(): void {
    this.close();
    this.cache.clear();
  }
}
