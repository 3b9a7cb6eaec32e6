/**
 * The page's one state root (shared with the components through Svelte context, state/context.ts):
 * what the service reported (status and events), the training, and the parts of what the user is
 * doing — the latent view, the animation (keyframes, path, export) and the project. Panels read it
 * and call its methods; only lib/api.ts talks to the outside. The parts take the narrow Session
 * this root implements, never the root itself.
 */
import type { DatasetSummary, Embeddings, EpochMetrics, EventData, ModelSummary, Status, TrainSettings } from '../../shared/contract';
import { ApiError, type Api, type ConnectionState } from '../lib/api';
import { AnimationState } from './animation.svelte';
import { BookmarksState } from './bookmarks.svelte';
import { CameraRequests } from './camera-requests.svelte';
import { FiguresState } from './figures.svelte';
import { LibraryState } from './library.svelte';
import { LatentViewState } from './latent-view.svelte';
import { ProjectState } from './project.svelte';
import { SearchState } from './search.svelte';
import { SelectionState } from './selection.svelte';
import type { NoticeLevel, Session } from './session';

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
}

export class TrainingState {
  state = $state<'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed'>('idle');
  runId = $state<string | null>(null);
  epochs = $state(0);
  epoch = $state(0);
  step = $state(0);
  stepsPerEpoch = $state(0);
  loss = $state<number | null>(null);
  samplesPerSec = $state<number | null>(null);
  etaSeconds = $state<number | null>(null);
  lastCheckpointEpoch = $state(0);
  error = $state<string | null>(null);
  /** The run's time budget (null: it trains for `epochs`, which are then not a cap). */
  timeBudgetSeconds = $state<number | null>(null);
  /** Seconds since the run started (set from each progress event, ticking on between them). */
  elapsedSeconds = $state(0);
  /** The run ended because its time budget was reached. */
  budgetReached = $state(false);
  /** performance.now() when the run started (by the service's elapsed time once a progress event came). */
  startedAt: number | null = null;
  history = $state<EpochMetrics[]>([]);
  /** Per progress event: x = epochs done (fractional), the batch loss and its two terms. */
  steps = $state.raw<{ x: number; loss: number; recon: number | null; kl: number | null }[]>([]);

  /** 0…1 over the whole run: on a budget, whichever of time and the epochs cap is further along. */
  progress = $derived.by(() => {
    if (this.state === 'done') return 1;
    const byTime = this.timeBudgetSeconds ? Math.min(1, this.elapsedSeconds / this.timeBudgetSeconds) : 0;
    if (!this.epochs || !this.stepsPerEpoch) return Math.max(byTime, this.epochs ? this.lastCheckpointEpoch / this.epochs : 0);
    return Math.max(byTime, Math.min(1, ((this.epoch - 1) * this.stepsPerEpoch + this.step) / (this.epochs * this.stepsPerEpoch)));
  });

  /** A run starts (or is first seen running): its budget, and its clock from now. */
  began(timeBudgetSeconds: number | null): void {
    this.timeBudgetSeconds = timeBudgetSeconds;
    this.budgetReached = false;
    this.startedAt = performance.now();
    this.elapsedSeconds = 0;
  }

  tick(): void {
    if (this.startedAt !== null) this.elapsedSeconds = (performance.now() - this.startedAt) / 1000;
  }

  get active(): boolean {
    return this.state === 'running' || this.state === 'cancelling';
  }
}

export class AppState implements Session {
  connection = $state<ConnectionState>('connecting');
  status = $state<Status | null>(null);
  engine = $state<EventData<'engine'> | null>(null);
  dataset = $state<DatasetSummary | null>(null);
  model = $state<ModelSummary | null>(null);
  ingest = $state<{ done: number; total: number } | null>(null);
  notices = $state<Notice[]>([]);
  /** Large and replaced whole: not deeply reactive. */
  embeddings = $state.raw<Embeddings | null>(null);
  /** Milliseconds from asking for the embeddings to having them in the page. */
  embeddingsMs = $state<number | null>(null);
  /** How many times the embeddings were fetched (tests wait on it). */
  embeddingsFetches = $state(0);
  busy = $state<string | null>(null);
  /** Each image's file relative to the dataset's folder (null: MNIST, or not loaded yet). */
  files = $state.raw<string[] | null>(null);
  readonly training = new TrainingState();
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
  private nextNotice = 1;

  backend = $derived(this.status?.backend ?? null);

  constructor(readonly api: Api) {
    this.view = new LatentViewState(this);
    this.animation = new AnimationState(this, this.view);
    this.search = new SearchState(this.view, () => this.files);
    this.selection = new SelectionState(this.view);
    this.bookmarks = new BookmarksState(this, this.view, this.search, this.selection, this.camera);
    this.project = new ProjectState(this, this.animation, this.bookmarks);
    this.figures = new FiguresState(this, this.view, this.camera);
    this.library = new LibraryState(this, (action) => this.leaveProject(action));
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
    api.on('ingestProgress', (p) => (this.ingest = p.done >= p.total ? null : p));
    api.on('datasetChanged', (d) => {
      // Keyframes and paths are latents of the old dataset's model: not kept across datasets (a
      // project keeps its own; an opened project restores them right after).
      if (this.dataset?.fingerprint !== d?.fingerprint) this.animation.restore(null);
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
    api.on('trainProgress', (p) => {
      const t = this.training;
      if (t.state !== 'cancelling') t.state = 'running';
      t.runId = p.runId;
      t.epochs = p.epochs;
      t.epoch = p.epoch;
      t.step = p.step;
      t.stepsPerEpoch = p.stepsPerEpoch;
      t.loss = p.loss;
      t.samplesPerSec = p.samplesPerSec;
      // The service's clock: right after a reload mid-run too; the page ticks on from it.
      t.startedAt = performance.now() - p.elapsedSeconds * 1000;
      t.tick();
      // On a budget the run ends at the budget if the epochs cap is further away.
      t.etaSeconds = t.timeBudgetSeconds ? Math.min(p.etaSeconds, Math.max(0, t.timeBudgetSeconds - t.elapsedSeconds)) : p.etaSeconds;
      const x = p.epoch - 1 + (p.stepsPerEpoch ? p.step / p.stepsPerEpoch : 0);
      const steps = t.steps.length > 4000 ? t.steps.filter((_, i) => i % 2 === 0) : t.steps;
      t.steps = [...steps, { x, loss: p.loss, recon: p.recon ?? null, kl: p.kl ?? null }];
    });
    api.on('trainSnapshot', (s) => {
      if (this.training.runId && s.runId && s.runId !== this.training.runId) return;
      this.view.onSnapshot(s);
    });
    api.on('trainEpoch', (e) => {
      const { runId: _r, epochs: _e, ...metrics } = e;
      this.training.history = [...this.training.history, metrics];
    });
    api.on('trainCheckpoint', (c) => (this.training.lastCheckpointEpoch = c.epoch));
    api.on('trainEnded', (e) => {
      this.training.tick();
      this.training.state = e.status;
      this.training.error = e.error;
      this.training.budgetReached = e.budgetReached;
      if (e.status === 'failed') this.notify('error', `Training failed: ${e.error ?? 'unknown error'}`);
      // Nothing new to show: back to the open model's points.
      if (e.epochsCompleted === 0 && this.embeddings && this.view.layout?.source === 'snapshot') this.view.onEmbeddings(this.embeddings);
    });
    api.on('embeddingsReady', () => void this.loadEmbeddings());
    await this.refresh();
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
    const t = this.training;
    if (!t.active || status.training.state !== 'running') {
      t.state = status.training.state;
      t.error = status.training.error;
    }
    // A run this page did not start (a reload mid-run): its clock starts now.
    if (status.training.state === 'running' && (t.startedAt === null || t.runId !== status.training.runId)) t.began(status.training.timeBudgetSeconds);
    t.runId = status.training.runId;
    t.lastCheckpointEpoch = status.training.lastCheckpointEpoch;
    t.timeBudgetSeconds = status.training.timeBudgetSeconds;
    if (!t.active) t.budgetReached = status.training.budgetReached;
    if (status.training.epochs) t.epochs = status.training.epochs;
  }

  /** The open folder's file names (search, hover card, decode panel, selection table). */
  async loadFiles(): Promise<void> {
    const d = this.dataset;
    if (!d || d.source.kind !== 'folder') {
      this.files = null;
      return;
    }
    try {
      const { files } = await this.api.call('datasetFiles', {});
      if (this.dataset?.fingerprint === d.fingerprint) this.files = files;
    } catch {
      this.files = null;
    }
  }

  notify(level: Notice['level'], message: string): void {
    this.notices = [...this.notices.slice(-7), { id: this.nextNotice++, level, message }];
  }

  /** A new training started: the errors of earlier attempts no longer describe anything (issue 11, point 7). */
  private clearErrors(): void {
    this.notices = this.notices.filter((n) => n.level !== 'error');
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs an action, showing it as busy and its failure as a notice. */
  private async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try {
      return await action();
    } catch (err) {
      this.notify('error', err instanceof ApiError || err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      if (this.busy === label) this.busy = null;
    }
  }

  /**
   * Another dataset or model closes the open project (it stays as last saved): ask first. True when
   * there is no project or the user goes on.
   */
  private leaveProject(action: string): boolean {
    const path = this.project.path;
    if (!path) return true;
    const name = path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
    return globalThis.confirm(`Close project ${name} and ${action}?\n\nThe project stays as it was last saved.`);
  }

  /** A new job starts: the last one's error notices are no longer current. */
  private newJob(): void {
    this.notices = this.notices.filter((n) => n.level !== 'error');
  }

  /** Opening a dataset: the last run's outcome is not shown over the ingest (issue 11, point 7). */
  private forgetFinishedRun(): void {
    if (this.training.active) return;
    this.training.state = 'idle';
    this.training.error = null;
    this.training.budgetReached = false;
  }

  async openMnist(): Promise<unknown> {
    // The same dataset again keeps the project open (the service closes it only for another one).
    if (this.dataset?.source.kind !== 'mnist' && !this.leaveProject('open MNIST')) return undefined;
    this.newJob();
    this.forgetFinishedRun();
    return this.run('Opening MNIST…', () => this.api.call('openDataset', { source: { kind: 'mnist' } }));
  }

  async openFolder(path: string, options: { size?: number; color?: 'gray' | 'rgb'; fit?: 'cover' | 'contain' } = {}): Promise<DatasetSummary | undefined> {
    const same = this.dataset?.source.kind === 'folder' && this.dataset.source.path === path && Object.keys(options).length === 0;
    if (!same && !this.leaveProject(`open the folder ${path}`)) return undefined;
    this.newJob();
    this.forgetFinishedRun();
    return this.run('Opening the folder…', () => this.api.call('openDataset', { source: { kind: 'folder', path, ...options } }));
  }

  /** A native dialog where there is one (Electron). */
  async chooseFolder(): Promise<void> {
    const chosen = await this.run('Choosing…', () => this.api.call('choosePath', { purpose: 'dataset' }));
    if (chosen?.path) await this.openFolder(chosen.path);
  }

  async startTraining(settings: TrainSettings): Promise<void> {
    const t = this.training;
    if (!this.leaveProject('train a new model')) return;
    this.newJob();
    const started = await this.run('Starting training…', () => this.api.call('trainStart', settings));
    if (!started) return;
    this.clearErrors();
    t.began(started.timeBudgetSeconds);
    t.state = 'running';
    t.runId = started.runId;
    t.epochs = started.epochs;
    t.epoch = 1;
    t.step = 0;
    t.stepsPerEpoch = 0;
    t.loss = null;
    t.error = null;
    t.lastCheckpointEpoch = 0;
    t.history = [];
    t.steps = [];
  }

  async cancelTraining(): Promise<void> {
    this.training.state = 'cancelling';
    await this.run('Cancelling…', () => this.api.call('trainCancel', {}));
  }

  async resumeTraining(epochs?: number): Promise<void> {
    if (!this.leaveProject('resume training its model')) return;
    this.newJob();
    const started = await this.run('Resuming…', () => this.api.call('trainResume', epochs ? { epochs } : {}));
    if (!started) return;
    this.clearErrors();
    const t = this.training;
    t.began(started.timeBudgetSeconds);
    t.state = 'running';
    t.runId = started.runId;
    t.epochs = started.epochs;
    t.error = null;
  }

  async loadEmbeddings(): Promise<void> {
    // A model that does not fit the open dataset has no points: the view says so (ViewEmptyState).
    if (this.model && !this.model.fitsDataset) return;
    const started = performance.now();
    this.busy = 'Loading points…';
    let e: Embeddings;
    try {
      e = await this.api.call('embeddings', {});
    } catch (err) {
      // The pair changed while the call was on its way (a library model opens a moment before its
      // folder): not an error, the view already shows what does not fit.
      if (!(err instanceof ApiError && err.code === 'mismatch')) this.notify('error', err instanceof Error ? err.message : String(err));
      return;
    } finally {
      if (this.busy === 'Loading points…') this.busy = null;
    }
    this.embeddingsMs = performance.now() - started;
    this.embeddingsFetches++;
    this.embeddings = e;
    this.view.onEmbeddings(e);
  }
}
