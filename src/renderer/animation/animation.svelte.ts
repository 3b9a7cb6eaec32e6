/**
 * Keyframes, the path through them, its preview and its export (the animation) — one of the state
 * root's parts.
 * The path's frames come from the engine (one `interpolate` call: the latents to draw the path in
 * the 3D view, and with the preview their images from one batched decode). Saved paths (the
 * project's) live here too, as PathDocs.
 */
import type { Camera, DraftKeyframes, EventData, Images, InsideDatasetConfirmed, PathDoc, ProjectView } from '../../shared/contract';
import { MAX_DRAFT_KEYFRAMES, MAX_PREVIEW_FRAMES } from '../../shared/contract';
import type { LatentViewState } from '../explorer/latent-view.svelte';
import { isStale } from '../lib/api';
import type { Session } from '../shell/session';
import { confirmingDataset } from '../shell/confirm-inside-dataset';
import { muOf, rowOf } from '../explorer/latent-math';
import type { Easing, SegmentMode } from '../../shared/vocabulary';
import { formatBytes, type ExportFormat } from './animation-export';
import { AnimationExporter, type ExportRun } from './animation-exporter.svelte';

export { FORMATS, exportTarget, formatBytes, type ExportFormat } from './animation-export';
export type { ExportRun } from './animation-exporter.svelte';

export interface Keyframe {
  id: number;
  z: Float32Array;
  source: { index?: number; label?: string } | null;
}

export class AnimationState {
  keyframes = $state<Keyframe[]>([]);
  /** One per segment (keyframes − 1); missing entries are linear. */
  segments = $state<SegmentMode[]>([]);
  frames = $state(60);
  easing = $state<Easing>('linear');
  pingPong = $state(false);
  fps = $state(30);
  scale = $state(4);

  /** The path's latents (frames × d), drawn in the 3D view through the explorer. */
  pathZ = $state.raw<Float32Array | null>(null);
  preview = $state.raw<Images | null>(null);
  previewing = $state(false);
  /** The preview frame shown (and the one "save image" writes). */
  frame = $state(0);
  playing = $state(true);
  /** Vertices of the path the 3D view draws (0: none). */
  get drawnPath(): number {
    return (this.view.pathOverlay?.points.length ?? 0) / 3;
  }

  /** The export run and its options (animation-exporter.svelte.ts). */
  readonly exporter: AnimationExporter;
  get exportRun(): ExportRun | null {
    return this.exporter.run;
  }
  set exportRun(run: ExportRun | null) {
    this.exporter.run = run;
  }
  exportOpen = $state(false);

  /** The project's saved paths and which one is being edited. */
  saved = $state.raw<PathDoc[]>([]);
  activePath = $state<number | null>(null);
  /** Bumped on every change a project should remember (autosave listens). */
  revision = $state(0);

  private nextId = 1;
  private pending = 0;

  constructor(
    private readonly app: Session,
    private readonly view: LatentViewState,
    /** A yes/no question to the user (the window's confirm dialog). */
    private readonly ask: (question: string) => boolean = () => false,
  ) {
    this.exporter = new AnimationExporter(app, this, ask);
  }

  /**
   * A save into the open dataset's folder is refused ('inside-dataset'): the user is asked, and on yes
   * it is made again with the confirmation. Any other failure, or a no, is the caller's to show.
   */
  private confirmingDataset<T>(save: (confirmed: InsideDatasetConfirmed) => Promise<T>): Promise<T> {
    return confirmingDataset(this.ask, save);
  }

  get latentDim(): number {
    return this.app.model?.latentDim ?? 0;
  }

  get ready(): boolean {
    return this.keyframes.length >= 2 && this.latentDim > 0 && this.keyframes.every((k) => k.z.length === this.latentDim);
  }

  /** Subscribes to the export events; returns the unsubscribe. */
  listen(): () => void {
    const offs = [
      this.app.api.on('exportProgress', (p: EventData<'exportProgress'>) => this.exporter.progress(p)),
      this.app.api.on('menu', (m) => {
        if (m.action === 'export') this.exportOpen = true;
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  // ---------------------------------------------------------------------------------------------
  // Keyframes

  add(z: Float32Array, source: Keyframe['source'] = null): void {
    if (this.latentDim && z.length !== this.latentDim) {
      this.app.notify('error', `a keyframe needs ${this.latentDim} numbers (the model's latent size), got ${z.length}`);
      return;
    }
    this.keyframes = [...this.keyframes, { id: this.nextId++, z: Float32Array.from(z), source }];
    this.fixSegments();
    this.changed();
  }

  /** Adds the μ of dataset image `index` (from the embeddings, else encoded by the engine). */
  async addIndex(index: number): Promise<void> {
    const e = this.app.embeddings;
    const labelName = (label: number, names: string[]): string | undefined => (label >= 0 ? (names[label] ?? String(label)) : undefined);
    if (e) {
      const row = rowOf(e, index);
      if (row >= 0) {
        const label = labelName(e.labels[row], e.labelNames);
        this.add(muOf(e, row), label === undefined ? { index } : { index, label });
        return;
      }
    }
    try {
      const r = await this.app.api.call('reconstruct', { index });
      const label = labelName(r.label, this.app.dataset?.labelNames ?? []);
      this.add(r.mu, label === undefined ? { index } : { index, label });
    } catch (err) {
      this.app.notify('error', (err as Error).message);
    }
  }

  remove(id: number): void {
    this.keyframes = this.keyframes.filter((k) => k.id !== id);
    this.fixSegments();
    this.changed();
  }

  move(id: number, by: -1 | 1): void {
    const i = this.keyframes.findIndex((k) => k.id === id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= this.keyframes.length) return;
    const next = [...this.keyframes];
    [next[i], next[j]] = [next[j], next[i]];
    this.keyframes = next;
    this.changed();
  }

  clear(): void {
    this.keyframes = [];
    this.segments = [];
    this.activePath = null;
    this.changed();
  }

  setSegment(i: number, mode: SegmentMode): void {
    const next = [...this.segments];
    next[i] = mode;
    this.segments = next;
    this.changed();
  }

  setAllSegments(mode: SegmentMode): void {
    this.segments = this.segments.map(() => mode);
    this.changed();
  }

  private fixSegments(): void {
    const n = Math.max(0, this.keyframes.length - 1);
    this.segments = Array.from({ length: n }, (_, i) => this.segments[i] ?? 'linear');
  }

  /** Something the path depends on changed. */
  changed(): void {
    this.revision++;
  }

  // ---------------------------------------------------------------------------------------------
  // The path

  keyframeArray(): Float32Array {
    const d = this.latentDim;
    const flat = new Float32Array(this.keyframes.length * d);
    this.keyframes.forEach((k, i) => flat.set(k.z, i * d));
    return flat;
  }

  private pathArgs(): { keyframes: Float32Array; frames: number; mode: SegmentMode[]; easing: Easing; loop: 'none' | 'ping-pong' } {
    return {
      keyframes: this.keyframeArray(),
      frames: Math.max(this.pingPong ? 3 : 2, Math.min(10_000, Math.round(this.frames) || 2)),
      mode: this.segments.length ? [...this.segments] : ['linear'],
      easing: this.easing,
      loop: this.pingPong ? 'ping-pong' : 'none',
    };
  }

  /** The path as an export draws it, with where each keyframe came from (embedded in the file). */
  exportArgs(): ReturnType<AnimationState['pathArgs']> & { sources: Keyframe['source'][] } {
    return { ...this.pathArgs(), sources: this.keyframes.map((k) => (k.source ? { ...k.source } : null)) };
  }

  /** Recomputes the path (and its preview when `decode`); only the latest request's answer is kept. */
  async refresh(decode: boolean): Promise<void> {
    if (!this.ready) {
      this.pathZ = this.preview = null;
      this.draw();
      return;
    }
    const ticket = ++this.pending;
    const args = this.pathArgs();
    const frames = decode ? Math.min(args.frames, MAX_PREVIEW_FRAMES) : args.frames;
    this.previewing = decode;
    try {
      const r = await this.app.api.call('interpolate', { ...args, frames, decode });
      if (ticket !== this.pending || !this.app.isCurrent(r.generation)) return;
      this.pathZ = r.z;
      this.draw();
      if (r.images) {
        this.preview = r.images;
        if (this.frame >= r.images.count) this.frame = 0;
      }
    } catch (err) {
      if (ticket === this.pending && !isStale(err)) this.app.notify('error', (err as Error).message);
    } finally {
      if (ticket === this.pending) this.previewing = false;
    }
  }

  /**
   * Draws the path (or clears it) in the 3D view, in whatever projection it shows. Keyframes of
   * another latent size (another model opened) are not drawn: the path is recomputed for them.
   */
  draw(): void {
    const z = this.ready ? this.pathZ : null;
    this.view.setPathOverlay(z, z && this.keyframes.length ? this.keyframeArray() : null);
  }

  /** The latent of the preview frame shown. */
  currentZ(): Float32Array | null {
    const z = this.pathZ;
    const d = this.latentDim;
    if (!z || !d || !this.preview) return null;
    const k = Math.min(this.frame, z.length / d - 1);
    return z.slice(k * d, (k + 1) * d);
  }

  // ---------------------------------------------------------------------------------------------
  // Export (animation-exporter.svelte.ts)

  export(path: string, format: ExportFormat): Promise<void> {
    return this.exporter.export(path, format);
  }

  cancelExport(): Promise<void> {
    return this.exporter.cancel();
  }

  // ---------------------------------------------------------------------------------------------
  // Paths as documents (files and projects)

  toDoc(): PathDoc | null {
    if (!this.ready) return null;
    const args = this.pathArgs();
    return {
      latentDim: this.latentDim,
      keyframes: args.keyframes,
      sources: this.keyframes.map((k) => (k.source ? { ...k.source } : null)),
      segments: [...args.mode.slice(0, this.keyframes.length - 1)],
      frames: args.frames,
      easing: this.easing,
      loop: args.loop,
      spacing: 'length',
      fps: Math.round(this.fps),
    };
  }

  fromDoc(doc: PathDoc): void {
    const d = doc.latentDim;
    const k = doc.keyframes.length / d;
    this.keyframes = Array.from({ length: k }, (_, i) => ({ id: this.nextId++, z: doc.keyframes.slice(i * d, (i + 1) * d), source: doc.sources[i] ?? null }));
    this.segments = Array.from({ length: k - 1 }, (_, i) => doc.segments[i] ?? 'linear');
    this.frames = doc.frames;
    this.easing = doc.easing;
    this.pingPong = doc.loop === 'ping-pong';
    if (doc.fps) this.fps = Math.min(120, Math.round(doc.fps));
    this.frame = 0;
    this.changed();
  }

  /** Keeps the path being edited in the saved list (a new entry, or the active one updated). */
  keep(): void {
    const doc = this.toDoc();
    if (!doc) return;
    if (this.activePath !== null && this.activePath < this.saved.length) {
      this.saved = this.saved.map((p, i) => (i === this.activePath ? doc : p));
    } else {
      this.saved = [...this.saved, doc];
      this.activePath = this.saved.length - 1;
    }
    this.changed();
  }

  select(i: number): void {
    const doc = this.saved[i];
    if (!doc) return;
    this.activePath = i;
    this.fromDoc(doc);
  }

  forget(i: number): void {
    this.saved = this.saved.filter((_, j) => j !== i);
    if (this.activePath === i) this.activePath = null;
    else if (this.activePath !== null && this.activePath > i) this.activePath--;
    this.changed();
  }

  /** The current frame's image as a PNG at the export scale, to a path the user chose. */
  async saveImage(path: string): Promise<void> {
    const z = this.currentZ();
    if (!z) return;
    try {
      const r = await this.confirmingDataset((c) => this.app.api.call('exportImage', { path, z, scale: this.scale, ...c }));
      this.app.notify('info', `image saved to ${r.path} (${formatBytes(r.bytes)})`);
    } catch (err) {
      this.app.notify('error', (err as Error).message);
    }
  }

  /** Every point (index, label, μ, view position) as CSV, to a path the user chose. */
  async savePoints(path: string): Promise<void> {
    try {
      const r = await this.confirmingDataset((c) => this.app.api.call('exportPoints', { path, ...c }));
      this.app.notify('info', `${r.rows} points saved to ${r.path} (${formatBytes(r.bytes)})`);
    } catch (err) {
      this.app.notify('error', (err as Error).message);
    }
  }

  async savePathFile(path: string): Promise<boolean> {
    const doc = this.toDoc();
    if (!doc) return false;
    try {
      const r = await this.confirmingDataset((c) => this.app.api.call('pathSave', { path, doc, ...c }));
      this.app.notify('info', `path saved to ${r.path}`);
      return true;
    } catch (err) {
      this.app.notify('error', (err as Error).message);
      return false;
    }
  }

  async openPathFile(path: string): Promise<boolean> {
    try {
      const doc = await this.app.api.call('pathOpen', { path });
      this.activePath = null;
      this.fromDoc(doc);
      this.keep();
      return true;
    } catch (err) {
      this.app.notify('error', (err as Error).message);
      return false;
    }
  }

  /** Reopens the path embedded in an exported MP4, WebM, GIF or PNG; a file without one (or a malformed one) changes nothing. */
  async openExportedFile(name: string, bytes: Uint8Array): Promise<boolean> {
    try {
      const r = await this.app.api.call('pathFromExport', { name, bytes });
      this.activePath = null;
      this.fromDoc(r.doc);
      this.keep();
      this.app.notify(r.warning ? 'warning' : 'info', r.warning ?? `path reopened from ${name}: ${this.keyframes.length} keyframes`);
      return true;
    } catch (err) {
      this.app.notify('error', (err as Error).message);
      return false;
    }
  }

  /** The keyframes being edited, kept by the project (and a reload) until "Keep path" (null: none, or too many). */
  draft(): DraftKeyframes | null {
    const k = this.keyframes.length;
    const d = this.keyframes[0]?.z.length ?? 0;
    if (!k || k > MAX_DRAFT_KEYFRAMES || this.keyframes.some((f) => f.z.length !== d)) return null;
    const keyframes = new Float32Array(k * d);
    this.keyframes.forEach((f, i) => keyframes.set(f.z, i * d));
    return {
      latentDim: d,
      keyframes,
      sources: this.keyframes.map((f) => (f.source ? { ...f.source } : null)),
      segments: Array.from({ length: k - 1 }, (_, i) => this.segments[i] ?? 'linear'),
    };
  }

  /** The project's part of the view (the camera is the scene's). */
  viewPart(camera: Camera | null): ProjectView {
    const draft = this.draft();
    return { camera, paths: this.saved, activePath: this.activePath, ...(draft ? { draft } : {}) };
  }

  /** Restores the paths of an opened project, and the keyframes it was editing. */
  restore(view: ProjectView | null): void {
    this.saved = view?.paths ?? [];
    this.activePath = null;
    this.keyframes = [];
    this.segments = [];
    const active = view?.activePath ?? null;
    if (active !== null && this.saved[active]) this.select(active);
    const draft = view?.draft;
    if (draft) {
      const d = draft.latentDim;
      this.keyframes = draft.sources.map((source, i) => ({ id: this.nextId++, z: draft.keyframes.slice(i * d, (i + 1) * d), source }));
      this.segments = [...draft.segments];
    }
    this.changed();
  }
}
