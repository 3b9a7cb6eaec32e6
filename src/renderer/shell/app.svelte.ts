/**
 * The page's one state root: what the service reported (status and events) and the states of the
 * feature slices — dataset, training, explorer, animation, project, library. App.svelte creates it and
 * hands each slice to the components through its own context (shell/context.ts); panels take their
 * slice, never this root. Only lib/api.ts talks to the outside. The slices take the narrow Session
 * and Jobs this root implements, never the root itself.
 */
import type { DatasetSummary, Embeddings, EventData, ModelSummary, Stamped, Status } from '../../shared/contract';
import { GenerationGate, type Generation } from '../../shared/generation';
import { ApiError, isStale, type Api, type ConnectionState } from '../lib/api';
import { AnimationState } from '../animation/animation.svelte';
import { BookmarksState } from '../project/bookmarks.svelte';
import { CameraRequests } from '../explorer/camera-requests.svelte';
import { FiguresState } from '../explorer/figures/figures.svelte';
import { LibraryState } from '../library/library.svelte';
import { LatentViewState } from '../explorer/latent-view.svelte';
import { MetadataState } from '../explorer/metadata/metadata.svelte';
import { ProjectState } from '../project/project.svelte';
import { SearchState } from '../explorer/search.svelte';
import { SelectionState } from '../explorer/selection.svelte';
import { DroppedImages } from '../explorer/dropped/dropped.svelte';
import { ExplorerKeeper } from '../project/explorer-keeper.svelte';
import { SelectionExportState } from '../explorer/selection-export/selection-export.svelte';
import type { Jobs, NoticeLevel, PathPurpose, Session } from './session';
import { DatasetState } from '../dataset/dataset.svelte';
import { TrainingState } from '../training/training.svelte';
import { NOTICE_LIFETIME_MS, raiseNotice, type Notice } from './notice-list';
import { markStart } from '../lib/start-marks';

export type { Notice } from './notice-list';

/** Asks the user a yes/no question (the shell's dialog; tests answer it). */
export type AskUser = (question: string) => boolean;

export class AppState implements Session, Jobs {
  connection = $state<ConnectionState>('connecting');
  status = $state<Status | null>(null);
  engine = $state<EventData<'engine'> | null>(null);
  dataset = $state<DatasetSummary | null>(null);
  model = $state<ModelSummary | null>(null);
  notices = $state<Notice[]>([]);
  /** Large and replaced whole: not deeply reactive. */
  embeddings = $state.raw<Stamped<Embeddings> | null>(null);
  /** Milliseconds from asking for the embeddings to having them in the page. */
  embeddingsMs = $state<number | null>(null);
  /** How many times the embeddings were fetched (tests wait on it). */
  embeddingsFetches = $state(0);
  busy = $state<string | null>(null);
  /** Each image's file relative to the dataset's folder (null: MNIST, or not loaded yet). */
  files = $state.raw<string[] | null>(null);
  readonly training: TrainingState;
  /** Opening MNIST or a folder, and the ingest's progress. */
  readonly datasets: DatasetState;
  /** The 3D view: its layout, colours, cursor and decoded image. */
  readonly view: LatentViewState;
  /** Keyframes, the path through them, its preview and export. */
  readonly animation: AnimationState;
  readonly project: ProjectState;
  /** Named views kept in the project. */
  readonly bookmarks: BookmarksState;
  /** The search box and the points it matches. */
  readonly search: SearchState;
  /** The selected points (lasso, Shift+click, a search). */
  readonly selection: SelectionState;
  readonly camera = new CameraRequests();
  /** The VAE figures: traversal, prior samples, manifold. */
  readonly figures: FiguresState;
  readonly library: LibraryState;
  /** Images the user brought in, encoded by the open model. */
  readonly dropped: DroppedImages;
  /** The selection out: copies of its files, or their list. */
  readonly selectionExport: SelectionExportState;
  /** The user's CSV or Parquet columns, joined to the dataset's files. */
  readonly metadata: MetadataState;
  /** The generation of what the service has open, as it last said (its status, generationChanged). */
  private readonly generations = new GenerationGate();
  private nextNotice = 1;
  /** The timers that take informational notices away, per notice id (bookkeeping, nothing shown reads it). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- not state: no view depends on the timers
  private noticeTimers = new Map<number, ReturnType<typeof setTimeout>>();

  backend = $derived(this.status?.backend ?? null);

  constructor(
    readonly api: Api,
    private readonly ask: AskUser,
  ) {
    this.training = new TrainingState(this);
    this.datasets = new DatasetState(this);
    this.view = new LatentViewState(this);
    this.animation = new AnimationState(this, this.view, ask);
    this.metadata = new MetadataState(this, this.view, () => this.view.style.stats);
    this.search = new SearchState(
      this.view,
      () => this.files,
      () => this.metadata.imported?.columns ?? null,
    );
    this.selection = new SelectionState(this.view);
    this.bookmarks = new BookmarksState(this, this.view, this.search, this.selection, this.camera);
    this.project = new ProjectState(this, this.animation, this.bookmarks, this.metadata, this.view.style, ask);
    this.figures = new FiguresState(this, this.view, this.camera);
    this.library = new LibraryState(this, (action) => this.leaveProject(action));
    this.dropped = new DroppedImages(this, this.view);
    this.project.keepExplorer(new ExplorerKeeper(this, this.view, this.dropped));
    this.selectionExport = new SelectionExportState(this, this.view, this.selection);
  }

  async init(): Promise<void> {
    const api = this.api;
    api.onConnection((s) => {
      const wasClosed = this.connection === 'closed';
      this.connection = s;
      if (s === 'open' && wasClosed) void this.refresh();
    });
    api.on('engine', (e) => {
      this.engine = e;
      if (e.state === 'crashed' || e.state === 'failed') this.notify('error', e.message ?? `engine ${e.state}`);
      if (e.restarted && e.message) this.notify('info', e.message);
      void this.refresh();
    });
    api.on('notice', (n) => this.notify(n.level, n.message));
    api.on('generationChanged', (g) => this.generations.adopt(g.generation));
    api.on('ingestProgress', (p) => (this.datasets.ingest = p.done >= p.total ? null : p));
    api.on('datasetChanged', (d) => {
      // Keyframes and paths are latents of the old dataset's model: not kept across datasets (a
      // project keeps its own; an opened project restores them right after).
      if (this.dataset?.fingerprint !== d?.fingerprint) {
        this.animation.restore(null);
        this.metadata.forget();
      }
      this.dataset = d;
      void this.loadFiles();
      this.embeddings = null;
      this.view.reset();
    });
    api.on('modelChanged', (m) => {
      // The decoded spot was the old model's image.
      if (m?.dir !== this.model?.dir) this.view.forgetDecoded();
      this.model = m;
    });
    // The training's state is the service's; its records are shown only while they are current.
    api.on('trainingStatus', (s) => this.training.show(s));
    api.on('trainProgress', (p) => {
      if (this.isCurrent(p.generation)) this.training.onProgress(p);
    });
    api.on('trainSnapshot', (s) => {
      if (this.isCurrent(s.generation)) this.view.onSnapshot(s);
    });
    api.on('trainEpoch', (e) => {
      const { runId: _r, epochs: _e, generation, ...metrics } = e;
      if (this.isCurrent(generation)) this.training.onEpoch(metrics);
    });
    api.on('trainQuality', (q) => {
      if (this.training.runId && q.runId !== this.training.runId) return;
      this.training.quality = { stage: q.stage, done: q.done, total: q.total };
    });
    api.on('trainEnded', (e) => {
      this.training.quality = null;
      if (!this.isCurrent(e.generation)) return;
      this.training.tick();
      if (e.status === 'failed') this.notify('error', `Training failed: ${e.error ?? 'unknown error'}`);
      if (e.status === 'diverged') this.notify('warning', `Training stopped: ${e.error ?? 'the loss exploded'} The model open before stays open.`);
      // Nothing new to show (a diverged run opens nothing): back to the open model's points.
      if ((e.epochsCompleted === 0 || e.status === 'diverged') && this.embeddings && this.view.layout?.source === 'snapshot')
        this.view.onEmbeddings(this.embeddings);
    });
    api.on('embeddingsReady', (e) => {
      if (this.isCurrent(e.generation)) void this.loadEmbeddings();
    });
    await this.refresh();
    markStart('status');
    if (this.status?.embeddingsReady) await this.loadEmbeddings();
  }

  async refresh(): Promise<void> {
    const status = await this.api.call('status', {});
    this.status = status;
    this.engine ??= { state: status.engine.state, message: status.engine.message, restarts: status.engine.restarts, restarted: false };
    if (this.engine.state !== status.engine.state) this.engine = { ...this.engine, state: status.engine.state, restarts: status.engine.restarts };
    if (status.dataset?.fingerprint !== this.dataset?.fingerprint || (status.dataset && !this.files)) {
      this.dataset = status.dataset;
      void this.loadFiles();
    }
    this.dataset = status.dataset;
    this.model = status.model;
    this.generations.adopt(status.generation);
    this.training.show(status.training);
  }

  /**
   * The renderer's one check against stale answers: whether something the service stamped with
   * `generation` still belongs to what is open (shared/generation.ts).
   */
  isCurrent(generation: Generation): boolean {
    return this.generations.isCurrent(generation);
  }

  /** The open folder's file names (search, hover card, decode panel, selection table). */
  async loadFiles(): Promise<void> {
    const d = this.dataset;
    if (!d || d.source.kind !== 'folder') {
      this.files = null;
      return;
    }
    try {
      const { files, generation } = await this.api.call('datasetFiles', {});
      if (this.isCurrent(generation)) this.files = files;
    } catch {
      this.files = null;
    }
  }

  /** Shows a notice: an identical one is counted, not stacked; info and warnings go by themselves, errors stay. */
  notify(level: NoticeLevel, message: string): void {
    const { list, notice } = raiseNotice(this.notices, level, message, this.nextNotice);
    if (notice.id === this.nextNotice) this.nextNotice++;
    this.notices = list;
    clearTimeout(this.noticeTimers.get(notice.id));
    this.noticeTimers.delete(notice.id);
    const lifetime = NOTICE_LIFETIME_MS[level];
    if (lifetime !== null)
      this.noticeTimers.set(
        notice.id,
        setTimeout(() => this.dismiss(notice.id), lifetime),
      );
  }

  dismiss(id: number): void {
    clearTimeout(this.noticeTimers.get(id));
    this.noticeTimers.delete(id);
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs an action, showing it as busy and its failure as a notice. */
  async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try {
      return await action();
    } catch (err) {
      if (!isStale(err)) this.notify('error', err instanceof ApiError || err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      if (this.busy === label) this.busy = null;
    }
  }

  /**
   * Another dataset or model closes the open project (it stays as last saved): ask first. True when
   * there is no project or the user goes on.
   */
  leaveProject(action: string): boolean {
    const path = this.project.path;
    if (!path) return true;
    const name = path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
    return this.ask(`Close project ${name} and ${action}?\n\nThe project stays as it was last saved.`);
  }

  /** A new job starts: the error notices of earlier ones no longer describe anything (issue 11, point 7). */
  newJob(): void {
    this.notices = this.notices.filter((n) => n.level !== 'error');
  }

  async choosePath(purpose: PathPurpose, defaultName?: string): Promise<string | null> {
    try {
      return (await this.api.call('choosePath', { purpose, ...(defaultName ? { defaultName } : {}) })).path;
    } catch (err) {
      this.notify('error', (err as Error).message);
      return null;
    }
  }

  async loadEmbeddings(): Promise<void> {
    // A model that does not fit the open dataset has no points: the view says so (ViewEmptyState).
    if (this.model && !this.model.fitsDataset) return;
    const started = performance.now();
    this.busy = 'Loading points…';
    let e: Stamped<Embeddings>;
    try {
      e = await this.api.call('embeddings', {});
    } catch (err) {
      // The pair changed while the call was on its way (a library model opens a moment before its
      // folder): not an error, the view already shows what does not fit.
      if (!isStale(err) && !(err instanceof ApiError && err.code === 'mismatch')) this.notify('error', err instanceof Error ? err.message : String(err));
      return;
    } finally {
      if (this.busy === 'Loading points…') this.busy = null;
    }
    if (!this.isCurrent(e.generation)) return;
    this.embeddingsMs = performance.now() - started;
    this.embeddingsFetches++;
    markStart('embeddings');
    this.embeddings = e;
    this.view.onEmbeddings(e);
  }
}
