/**
 * The state of the 3D view of the latent space: which view is shown (identity, PCA, UMAP, or the
 * live view of a model being trained), what is hovered and selected, where
 * the 3D cursor is, and the decoded image with the latent it came from. Other panels (interpolation,
 * arithmetic) place latents in the view and decode spots of it through viewToLatent / latentToView
 * (the maps live in view-inverse.ts). How points are drawn (colours, hidden labels) is point-style.svelte.ts.
 *
 * The decoded image and its queue are decode/decoder.svelte.ts.
 */
import type { Embeddings, Projection, ProjectionKind, Stamped, TrainSnapshot } from '../../shared/contract';
import { drawLatents, type DensityView, type LatentDensity } from '../../shared/latent-density';
import { project } from '../../shared/projection';
import { Decoder } from './decode/decoder.svelte';
import { isStale } from '../lib/api';
import { ThumbnailAtlas } from './thumbnails';
import type { Session } from '../shell/session';
import { ViewInverse } from './view-inverse';
import { UmapLayouts } from './layouts/umap-layouts.svelte';
import { measureInWorker, type QualityRun } from './layouts/quality';
import type { Vec3 } from '../scene/types';

import { indexInLayout, type Decoded, type Layout } from './layout';
import { PointStyle } from './point-style.svelte';
import { ClusterState } from './clusters/clusters.svelte';
import { DensityState } from './density/density.svelte';
import { QualityState } from './quality/quality.svelte';
import { MosaicState } from './mosaic/mosaic.svelte';

export class LatentViewState {
  /** The view asked for (the layout follows, UMAP after its fit). */
  kind = $state<ProjectionKind>('identity');
  layout = $state.raw<Layout | null>(null);
  /** The linear projection of the layout (null for UMAP and snapshots). */
  linear = $state.raw<Projection | null>(null);
  /** The custom axis on show (directions/custom-axis.ts): its projection is `linear`; null for the standard views. */
  customAxis = $state.raw<{ what: string; projection: Projection } | null>(null);
  /** "UMAP: placing points 40%" while a view is being computed. */
  projectionBusy = $state<string | null>(null);
  /** 2: a flat view (PCA's first two axes, UMAP in 2D; the camera faces it). */
  dims = $state<2 | 3>(3);
  /** The layout's trustworthiness (k = 10, on a sample); null while measured or not measurable. */
  quality = $state<number | null>(null);
  /** The latest training snapshot (shown while a training runs). */
  snapshot = $state.raw<TrainSnapshot | null>(null);
  snapshots = $state(0);
  /** The selected point (index into the layout). */
  selected = $state<number | null>(null);
  cursor = $state.raw<Vec3 | null>(null);
  hover = $state.raw<{ index: number; x: number; y: number } | null>(null);
  /** A path drawn over the view (n × 3 view positions) — set by other panels through setPathOverlay. */
  pathOverlay = $state.raw<{ points: Float32Array; keyframes: Float32Array | null; color?: string } | null>(null);

  /** Colours, hidden labels, shells and point size. */
  readonly style: PointStyle;
  readonly thumbnails: ThumbnailAtlas;
  /** The decoded image, its decode queue and the images nearest it. */
  readonly decoder: Decoder;
  /** Images as points (the mosaic) and the decoded map behind them. */
  readonly mosaic: MosaicState;
  private version = 0;
  /** UMAP's settings, runs and finished layouts. */
  readonly umap = new UmapLayouts();
  /** Clusters of the latent means (colour by cluster, their labels). */
  readonly clusters: ClusterState;
  /** The density layer: contours of the points in the view, and whether a click lies past the data. */
  readonly density = new DensityState();
  /** The quality views: worst reconstructions, outliers, near-duplicates. */
  readonly qualityLists: QualityState;
  private qualityRun: QualityRun | null = null;
  private inverseOf: { layout: Layout; density: LatentDensity | null; inverse: ViewInverse } | null = null;
  private embeddingsKey = '';

  constructor(private readonly app: Session) {
    this.style = new PointStyle(app, () => this.clusters.ensure());
    this.thumbnails = new ThumbnailAtlas((page) => app.api.call('atlas', { page }));
    this.decoder = new Decoder(app);
    this.clusters = new ClusterState(app, () => this.layout);
    this.qualityLists = new QualityState(app, this);
    this.mosaic = new MosaicState(app, {
      layout: () => this.layout,
      decodable: () => this.decodable,
      modelKey: () => this.embeddingsKey,
      dims: () => this.dims,
      viewToLatent: (p) => this.viewToLatent(p),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Layouts

  get latentDim(): number {
    return this.layout?.latentDim ?? this.app.embeddings?.latentDim ?? this.app.model?.latentDim ?? 0;
  }

  /** Whether clicks and drags in the view can be decoded (not on a training snapshot). */
  get decodable(): boolean {
    return this.layout?.source === 'embeddings' && Boolean(this.app.model);
  }

  private setLayout(l: Omit<Layout, 'version'>): void {
    this.layout = { ...l, version: ++this.version };
    this.customAxis = null;
    this.inverseOf = null;
  }

  /** New embeddings arrived (a model opened, a training ended, a reload). */
  onEmbeddings(e: Embeddings): void {
    const key = `${this.app.model?.dir ?? ''}|${e.modelEpoch}|${e.count}|${e.latentDim}`;
    const sameModel = key === this.embeddingsKey;
    this.embeddingsKey = key;
    const wasSnapshot = this.layout?.source === 'snapshot';
    if (!sameModel) {
      this.umap.forget();
      this.clusters.forget();
      this.qualityLists.forget();
      this.selected = null;
      this.cursor = null;
      this.decoder.nearby.clear();
      if (this.decoder.decoded && this.decoder.decoded.z.length !== e.latentDim) this.decoder.forget();
      else this.decoder.placeAt(null);
      this.snapshot = null;
    }
    if (this.kind === 'identity' && e.latentDim > 3) this.kind = 'pca';
    if ((!sameModel && this.kind !== 'umap') || (this.kind === 'umap' && e.latentDim <= 3)) this.kind = e.projection.kind;
    const base = {
      source: 'embeddings' as const,
      count: e.count,
      latentDim: e.latentDim,
      mu: e.mu,
      ids: e.ids,
      labels: e.labels,
      labelNames: e.labelNames,
      animateMs: 0,
      frame: !sameModel || wasSnapshot,
    };
    // The engine's default projection comes with the embeddings: show it now, then what was asked.
    this.linear = e.projection;
    this.setLayout({ ...base, kind: e.projection.kind, view: e.view });
    if (this.kind !== e.projection.kind) void this.applyKind(this.kind, false);
    this.style.pointsChanged(sameModel);
    this.replaceDecodedView();
  }

  /** A training snapshot: the live view of the model being trained. */
  onSnapshot(s: TrainSnapshot): void {
    const previous = this.layout;
    this.snapshot = s;
    this.snapshots++;
    const glide = previous?.source === 'snapshot' && previous.count === s.count;
    this.cancelUmap();
    this.linear = null;
    this.selected = null;
    this.cursor = null;
    const { count, latentDim, view, mu, ids, labels } = s;
    const labelNames = this.app.embeddings?.labelNames ?? this.app.dataset?.labelNames ?? [];
    this.setLayout({
      source: 'snapshot',
      kind: s.projection,
      count,
      latentDim,
      view,
      mu,
      ids,
      labels,
      labelNames,
      animateMs: glide ? 600 : 0,
      frame: glide ? 'auto' : true,
    });
  }

  /** Switches the view: identity (d ≤ 3), PCA, or UMAP (fitted in a web worker). */
  async setProjection(kind: ProjectionKind): Promise<void> {
    const d = this.latentDim;
    const refused =
      kind === 'identity' && d > 3
        ? `the identity view needs a latent size of at most 3 (this model has ${d}): use PCA or UMAP`
        : kind === 'umap' && d <= 3
          ? `no UMAP for d = ${d}: the latent space is the view`
          : null;
    if (refused) return this.app.notify('info', refused);
    this.kind = kind;
    if (this.layout?.source !== 'embeddings') return;
    await this.applyKind(kind, true);
  }

  private async applyKind(kind: ProjectionKind, animate: boolean): Promise<void> {
    const e = this.app.embeddings;
    if (!e) return;
    if (kind !== 'umap') this.cancelUmap();
    if (kind === 'umap') {
      const key = this.umap.key(this.embeddingsKey, this.dims);
      const cached = this.umap.cached(key);
      if (cached) this.showEmbeddingsLayout('umap', cached, null, animate ? 900 : 0);
      else this.startUmap(e, key);
      return;
    }
    try {
      this.projectionBusy = `fitting ${kind === 'pca' ? 'PCA' : 'the identity view'}…`;
      const { generation, ...p } = e.projection.kind === kind ? { ...e.projection, generation: e.generation } : await this.app.api.call('projection', { kind });
      // Another view asked for meanwhile wins; a projection of another opening is stale.
      if (this.kind !== kind || !this.app.isCurrent(generation)) return;
      const view = project(p, e.mu, e.count);
      if (this.dims === 2) for (let i = 0; i < e.count; i++) view[i * 3 + 2] = 0;
      this.showEmbeddingsLayout(kind, view, p, animate ? 900 : 0);
    } catch (err) {
      if (!isStale(err)) this.app.notify('error', `could not switch the view: ${(err as Error).message}`);
    } finally {
      this.projectionBusy = null;
    }
  }

  /** A linear view with a chosen x axis (a custom axis): shown, and inverted for clicks, as PCA is. */
  showCustomProjection(p: Projection, what: string): void {
    const e = this.app.embeddings;
    if (!e || this.layout?.source !== 'embeddings' || p.latentDim !== e.latentDim) return;
    this.cancelUmap();
    this.kind = 'pca';
    const view = project(p, e.mu, e.count);
    if (this.dims === 2) for (let i = 0; i < e.count; i++) view[i * 3 + 2] = 0;
    this.showEmbeddingsLayout('pca', view, p, 900);
    this.customAxis = { what, projection: p };
  }

  /** A flat (2) or a 3D view of the same projection. */
  async setDims(dims: 2 | 3): Promise<void> {
    if (dims === this.dims) return;
    this.dims = dims;
    if (this.customAxis) return this.showCustomProjection(this.customAxis.projection, this.customAxis.what);
    if (this.layout?.source === 'embeddings') await this.applyKind(this.kind, true);
  }

  /** UMAP again with the current settings. */
  refitUmap(): void {
    if (this.kind === 'umap' && this.layout?.source === 'embeddings') void this.applyKind('umap', true);
  }

  private showEmbeddingsLayout(kind: ProjectionKind, view: Float32Array, linear: Projection | null, animateMs: number, frame: boolean | 'auto' = true): void {
    const e = this.app.embeddings;
    if (!e) return;
    this.linear = linear;
    const { count, latentDim, mu, ids, labels, labelNames } = e;
    this.setLayout({ source: 'embeddings', kind, count, latentDim, view, mu, ids, labels, labelNames, animateMs, frame });
    this.replaceDecodedView();
  }

  private startUmap(e: Stamped<Embeddings>, key: string): void {
    this.umap.start(e, key, this.dims, {
      busy: (text) => (this.projectionBusy = text),
      layout: (view, first) => {
        if (this.kind !== 'umap' || this.layout?.source !== 'embeddings' || !this.app.isCurrent(e.generation)) return;
        // Each streamed layout glides into the next: the user watches UMAP settle.
        this.showEmbeddingsLayout('umap', view, null, first ? 900 : 350, first ? true : 'auto');
      },
      error: (message) => this.app.notify('error', `UMAP failed: ${message}`),
    });
  }

  /** Stops a running UMAP fit (the view stays as it was last drawn). */
  cancelUmap(): void {
    if (this.umap.cancel()) this.projectionBusy = null;
  }

  /** Measures the layout's trustworthiness (k = 10) on an even sample of 1,000 points, in a worker (~10⁸ operations). */
  measureQuality(): void {
    const l = this.layout;
    this.quality = null;
    this.qualityRun?.cancel();
    if (!l || l.count < 30) return;
    this.qualityRun = measureInWorker(l.mu, l.latentDim, l.view, l.count, (value) => {
      if (this.layout === l) this.quality = value;
    });
  }

  /** Clears everything that belonged to the dataset (a new one was opened). */
  reset(): void {
    this.umap.forget();
    this.clusters.forget();
    this.qualityLists.forget();
    this.density.clearClick();
    this.layout = null;
    this.linear = null;
    this.snapshot = null;
    this.selected = null;
    this.cursor = null;
    this.decoder.forget();
    this.hover = null;
    this.style.forgetDataset();
    this.embeddingsKey = '';
    this.thumbnails.clear();
    this.mosaic.reset();
  }

  // -------------------------------------------------------------------------------------------
  // View ↔ latent

  /** The view ↔ latent maps of the current layout (null on a training snapshot). */
  private get inverse(): ViewInverse | null {
    const l = this.layout;
    if (!l || l.source !== 'embeddings') return null;
    const density = this.app.model?.latentDensity ?? null;
    if (this.inverseOf?.layout !== l || this.inverseOf.density !== density) {
      const linear = l.kind === 'umap' ? null : this.linear;
      this.inverseOf = { layout: l, density, inverse: new ViewInverse(l, linear, density, this.dims) };
    }
    return this.inverseOf.inverse;
  }

  /** The fitted density seen through the current linear view (null: UMAP, a snapshot, or no density). */
  get densityView(): DensityView | null {
    return this.inverse?.densityView ?? null;
  }

  /** The latent vector of a view position (exact for identity/PCA, approximate for UMAP). */
  viewToLatent(p: Vec3): Float32Array | null {
    return this.inverse?.viewToLatent(p) ?? null;
  }

  /** The view position of a latent vector (exact for identity/PCA, approximate for UMAP). */
  latentToView(z: ArrayLike<number>): Vec3 | null {
    return this.inverse?.latentToView(z) ?? null;
  }

  /** Latents (n × d) as view positions (n × 3), for path overlays; null when they cannot be placed. */
  latentsToView(latents: Float32Array): Float32Array | null {
    return this.inverse?.latentsToView(latents) ?? null;
  }

  /** Draws a path through latent space over the view (null clears it). Keyframes get rings. */
  setPathOverlay(latents: Float32Array | null, keyframes: Float32Array | null = null, color?: string): void {
    if (!latents) {
      this.pathOverlay = null;
      return;
    }
    const points = this.latentsToView(latents);
    const keys = keyframes ? this.latentsToView(keyframes) : null;
    this.pathOverlay = points ? { points, keyframes: keys, color } : null;
  }

  /** After a view change the decoded spot moves with it. */
  private replaceDecodedView(): void {
    const d = this.decoder.decoded;
    if (!d) return;
    let view: Vec3 | null = null;
    if (d.source === 'point' && d.index !== null && this.layout) {
      const i = this.layoutIndexOf(d.index);
      if (i !== null) view = [this.layout.view[i * 3], this.layout.view[i * 3 + 1], this.layout.view[i * 3 + 2]];
    } else view = this.latentToView(d.z);
    this.decoder.placeAt(view);
    this.cursor = view;
  }

  /** The layout index of a dataset index (they coincide for the full embeddings). */
  layoutIndexOf(datasetIndex: number): number | null {
    return this.layout ? indexInLayout(this.layout, datasetIndex) : null;
  }

  // -------------------------------------------------------------------------------------------
  // Interaction

  /** A click on point i of the layout: its original and reconstruction. */
  async selectPoint(i: number): Promise<void> {
    const l = this.layout;
    if (!l || i < 0 || i >= l.count) return;
    const index = l.ids[i];
    this.selected = i;
    this.density.clearClick();
    const view: Vec3 = [l.view[i * 3], l.view[i * 3 + 1], l.view[i * 3 + 2]];
    this.cursor = view;
    await this.decoder.reconstruct(index, view);
  }

  /** Selects a dataset image by its index (from the neighbours list). */
  selectDatasetIndex(index: number): Promise<void> {
    const i = this.layoutIndexOf(index);
    return i === null ? Promise.resolve() : this.selectPoint(i);
  }

  /** A click on empty space (a view position): decode the latent there. */
  clickSpace(p: Vec3): void {
    if (!this.decodable) {
      this.app.notify('info', 'this is the live view of the training: spots decode once it ends');
      return;
    }
    this.selected = null;
    this.cursor = p;
    this.density.noteClick(this.layout, p);
    this.requestDecode(p, 'space');
  }

  /** The 3D cursor dragged to p. */
  dragCursor(p: Vec3, phase: 'start' | 'move' | 'end'): void {
    if (!this.decodable) return;
    this.cursor = p;
    if (phase === 'start') return;
    this.selected = null;
    this.requestDecode(p, 'space');
  }

  private requestDecode(p: Vec3, source: Decoded['source']): void {
    const z = this.viewToLatent(p);
    if (!z) return;
    this.decoder.request(z, p, source);
  }

  /** Decodes any latent (typed, or from another panel) and places the cursor on it when it can. */
  decodeLatent(z: Float32Array, source: Decoded['source'] = 'external'): void {
    const view = this.latentToView(z);
    this.selected = null;
    this.cursor = view;
    this.decoder.request(z, view, source);
  }

  /**
   * A random spot: one z drawn from the model's fitted density (N(0, I) without one), decoded as a click
   * is, with the cursor where it lies in the current view. `seed` makes it repeatable (tests).
   */
  randomSpot(seed = Math.floor(Math.random() * 2 ** 32)): void {
    const d = this.app.model?.latentDim ?? 0;
    if (!this.decodable || !d) {
      this.app.notify('info', 'a random spot needs the points of a model in the view');
      return;
    }
    const { z } = drawLatents(this.app.model?.latentDensity, d, 1, seed);
    this.decodeLatent(z, 'random');
  }

  /** The model changed: the decoded image was the old model's. */
  forgetDecoded(): void {
    this.decoder.forget();
  }

  clearSelection(): void {
    this.selected = null;
    this.cursor = null;
    this.decoder.forget();
  }

  setHover(index: number | null, x: number, y: number): void {
    this.hover = index === null ? null : { index, x, y };
  }
}
