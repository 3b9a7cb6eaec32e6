/**
 * The app's behaviour behind the contract, shared by both transports (Electron's main process and
 * the serve host). It owns the engine process, the open dataset, the model and the project:
 *  - every path that arrives is checked against the folders the user chose (AllowedPaths);
 *  - training runs in the engine and writes a checkpoint every epoch into the data dir;
 *  - when the engine dies it says so (an 'engine' event), starts a new one, reopens the dataset and
 *    reloads the last checkpoint, so no finished epoch is lost;
 *  - embeddings are computed once per model and kept, so asking for them is immediate.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { z } from 'zod';
import {
  ContractError,
  epochMetricsFromRecord,
  events,
  type CallOutput,
  type DatasetSource,
  type DatasetSummary,
  type EngineState,
  type EventData,
  type EventName,
  type ModelSummary,
  type PathDoc,
  type ProjectSummary,
  type ProjectView,
  type Status,
  type TrainingStatus,
  type TrainSettings,
} from '../shared/contract';
import type { EngineArgs, EngineEvent, EngineModelInfo, EngineResults } from '../shared/protocol';
import type { Handlers } from './dispatch';
import { EngineClient, describeExit, type EngineExit, type SpawnEngine } from './engine-client';
import { AllowedPaths, isWithin } from './paths';
import { readPathFile, writePathFile } from './path-files';
import { ProjectError, projectName, readEmbeddings, readProject, saveProject, weightsHash, type ProjectFile } from './project';
import { readRecentProjects, rememberProject, type RecentProject } from './recent';

export interface ServiceOptions {
  /** Where trained models live (models/<run>/); tests use a temp dir. Always an allowed root. */
  dataDir: string;
  spawnEngine: SpawnEngine;
  /** Folders the user allowed up front (the serve host's --allow list). */
  allowedRoots?: string[];
  /** How a refused path can be allowed on this transport (ends the error message). */
  pathHint?: string;
  /** Opened on start when it exists (resources/default-model). */
  defaultModelDir?: string | null;
  backend?: string;
  /** Report the engine's pid in status (tests kill the engine with it). */
  exposeEnginePid?: boolean;
  nativeDialogs?: boolean;
  /** Restarts allowed within restartWindowMs before the service gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
}

type Listener = <E extends EventName>(name: E, data: EventData<E>) => void;
type TrainArgs = EngineArgs<'train'>;

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${t}-${randomBytes(3).toString('hex')}`;
}

const exists = (p: string): Promise<boolean> => stat(p).then(
  () => true,
  () => false,
);

export class AppService {
  readonly paths: AllowedPaths;
  readonly handlers: Handlers;
  private readonly listeners = new Set<Listener>();
  private engine: EngineClient | null = null;
  private engineState: EngineState = 'stopped';
  private engineMessage: string | null = null;
  private enginePid: number | undefined;
  private restarts = 0;
  private restartTimes: number[] = [];
  private stopping = false;
  private starting: Promise<void> | null = null;
  private backend: EngineResults['init'] | null = null;

  private datasetSource: DatasetSource | null = null;
  private dataset: DatasetSummary | null = null;
  private model: EngineModelInfo | null = null;
  private modelIsDefault = false;
  private projectPath: string | null = null;
  /** The open project's file as last read or written. */
  private projectFile: ProjectFile | null = null;
  /** The open project's image folder when it was not found (until projectRelocate). */
  private missingDataset: { source: DatasetSource; name: string | null; fingerprint: string | null } | null = null;
  /** The renderer's view (camera, paths), saved with the project. */
  private view: ProjectView | null = null;
  /** Project writes one after another (autosaves may overlap). */
  private saving: Promise<unknown> = Promise.resolve();

  private training: TrainingStatus = { state: 'idle', runId: null, dir: null, epochs: 0, epoch: 0, lastCheckpointEpoch: 0, error: null };
  private trainArgs: TrainArgs | null = null;

  private embeddingsVersion = 0;
  private embeddingsCache: { version: number; value: EngineResults['embed'] } | null = null;
  private embeddingsPending: { version: number; promise: Promise<EngineResults['embed']> } | null = null;
  private statsCache: { version: number; promise: Promise<EngineResults['pointStats']> } | null = null;

  constructor(private readonly options: ServiceOptions) {
    this.paths = new AllowedPaths(options.pathHint ?? 'choose it with a dialog or drop it on the window first');
    this.handlers = {
      status: async () => this.status(),
      choosePath: async () => ({ path: null, supported: false }),
      openDataset: (a) => this.openDataset(a.source),
      trainStart: (a) => this.trainStart(a),
      trainCancel: () => this.trainCancel(),
      trainResume: (a) => this.trainResume(a.epochs),
      embeddings: () => this.embeddings(),
      projection: async (a) => {
        const embeddings = await this.embeddings();
        return !a.kind || a.kind === embeddings.projection.kind ? embeddings.projection : this.request('fitProjection', { kind: a.kind });
      },
      decode: (a) => this.request('decode', { z: a.z }),
      reconstruct: (a) => this.request('reconstruct', { index: a.index }),
      nearest: (a) => this.request('nearest', { z: a.z, k: a.k, ...(a.space ? { space: a.space } : {}), ...(a.among ? { among: a.among } : {}) }),
      pointStats: () => this.pointStats(),
      atlas: (a) => this.request('atlas', { page: a.page }),
      interpolate: (a) =>
        this.request('interpolate', {
          keyframes: a.keyframes,
          frames: a.frames,
          mode: a.mode ?? 'linear',
          easing: a.easing ?? 'linear',
          loop: a.loop ?? 'none',
          spacing: a.spacing ?? 'length',
          decode: a.decode ?? false,
        }),
      export: (a) => this.export(a),
      exportCancel: () => this.request('exportCancel', {}),
      exportImage: (a) => this.exportImage(a.path, a.z, a.scale ?? 1),
      exportPoints: (a) => this.exportPoints(a.path),
      pathSave: (a) => this.pathSave(a.path, a.doc),
      pathOpen: (a) => this.pathOpen(a.path),
      projectSave: (a) => this.projectSave(a.path, a.view),
      projectOpen: (a) => this.projectOpen(a.path),
      projectUpdate: (a) => this.projectUpdate(a.view, a.autosave),
      recentProjects: async () => ({ projects: await this.recentProjects() }),
      projectCurrent: async () => ({ path: this.projectPath, view: this.view, missingFolder: this.missingDataset?.source.kind === 'folder' ? this.missingDataset.source.path : null }),
      projectRelocate: (a) => this.projectRelocate(a.folder),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Events

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(name: E, data: EventData<E>): void {
    const parsed = (events[name] as z.ZodType).safeParse(data);
    if (!parsed.success) {
      // A bug in the service: report it loudly rather than send something outside the contract.
      process.stderr.write(`latentscape: event ${name} does not match the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
      return;
    }
    for (const l of this.listeners) {
      try {
        l(name, parsed.data as EventData<E>);
      } catch {
        // A listener's failure (a closed socket) must not stop the others.
      }
    }
  }

  /** A message for the user (the renderer shows it as a notice). */
  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit('notice', { level, message });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts the engine and opens the default model when there is one. */
  async start(): Promise<void> {
    await mkdir(this.options.dataDir, { recursive: true });
    await this.paths.add(this.options.dataDir);
    for (const root of this.options.allowedRoots ?? []) await this.paths.add(root);
    if (!this.engine?.alive) await this.startEngine();
    await this.openDefaultModel();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const engine = this.engine;
    if (engine?.alive) {
      const exited = new Promise<void>((r) => {
        const t = setInterval(() => {
          if (!engine.alive) {
            clearInterval(t);
            r();
          }
        }, 20);
        setTimeout(() => {
          clearInterval(t);
          r();
        }, 3000).unref?.();
      });
      engine.kill();
      await exited;
    }
    this.setEngineState('stopped', null, false);
  }

  private setEngineState(state: EngineState, message: string | null, restarted: boolean): void {
    this.engineState = state;
    this.engineMessage = message;
    this.emit('engine', { state, message, restarts: this.restarts, restarted });
  }

  private startEngine(): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = (async () => {
      this.setEngineState('starting', null, false);
      const client = new EngineClient(
        this.options.spawnEngine(),
        (e) => this.onEngineEvent(client, e),
        (exit) => this.onEngineExit(client, exit),
      );
      this.engine = client;
      this.enginePid = client.pid;
      this.backend = await client.request('init', this.options.backend ? { backend: this.options.backend } : {});
      this.enginePid = this.backend.pid;
      this.setEngineState('ready', null, false);
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async openDefaultModel(): Promise<void> {
    const dir = this.options.defaultModelDir;
    if (!dir || !(await exists(join(dir, 'manifest.json')))) return;
    try {
      const info = await this.request('loadModel', { dir: resolve(dir) });
      this.setModel(info, true);
      if (this.dataset === null && info.datasetName === 'MNIST') await this.openDataset({ kind: 'mnist' });
    } catch (err) {
      this.notice('warning', `the default model could not be opened: ${(err as Error).message}`);
    }
  }

  private async ensureEngine(): Promise<EngineClient> {
    if (this.starting) await this.starting;
    if (!this.engine || !this.engine.alive) {
      if (this.engineState === 'failed') throw new ContractError('engine', this.engineMessage ?? 'the engine process failed');
      await this.startEngine();
    }
    return this.engine!;
  }

  private async request<O extends keyof EngineResults>(op: O, args: EngineArgs<O>): Promise<EngineResults[O]> {
    const engine = await this.ensureEngine();
    return engine.request(op, args);
  }

  private onEngineEvent(client: EngineClient, e: EngineEvent): void {
    if (client !== this.engine) return;
    const runId = this.training.runId ?? '';
    switch (e.type) {
      case 'ingest':
        this.emit('ingestProgress', { done: e.done, total: e.total });
        break;
      case 'step':
        this.training.epoch = e.epoch - 1;
        this.emit('trainProgress', {
          runId,
          epoch: e.epoch,
          epochs: e.epochs,
          step: e.step,
          stepsPerEpoch: e.stepsPerEpoch,
          loss: e.loss,
          samplesPerSec: e.samplesPerSec,
          etaSeconds: e.etaSeconds,
          ...(e.recon !== undefined && e.kl !== undefined ? { recon: e.recon, kl: e.kl } : {}),
        });
        break;
      case 'epoch': {
        const { type: _type, ...metrics } = e;
        this.training.epoch = e.epoch;
        this.emit('trainEpoch', { runId, ...metrics });
        break;
      }
      case 'checkpoint':
        this.training.lastCheckpointEpoch = e.epoch;
        this.emit('trainCheckpoint', { runId, epoch: e.epoch, dir: e.dir });
        break;
      case 'snapshot': {
        const { type: _type, ...snapshot } = e;
        this.emit('trainSnapshot', { runId, ...snapshot });
        break;
      }
      case 'log':
        this.notice('info', e.message);
        break;
      case 'export':
        this.emit('exportProgress', { stage: e.stage, done: e.done, total: e.total });
        break;
    }
  }

  private onEngineExit(client: EngineClient, exit: EngineExit): void {
    if (client !== this.engine || this.stopping) return;
    void this.recover(exit);
  }

  /** The engine died: say so, end the training it ran, start a new one and reload what was open. */
  private async recover(exit: EngineExit): Promise<void> {
    const now = Date.now();
    const windowMs = this.options.restartWindowMs ?? 60_000;
    this.restartTimes = this.restartTimes.filter((t) => now - t < windowMs);
    const how = describeExit(exit);
    this.setEngineState('crashed', `The engine process stopped unexpectedly (${how}). Restarting it…`, false);
    const wasTraining = this.training.state === 'running' || this.training.state === 'cancelling';
    if (wasTraining && this.training.runId) {
      const kept = this.training.lastCheckpointEpoch;
      this.training.state = 'failed';
      this.training.error = `the engine stopped during epoch ${this.training.epoch + 1}; ${kept ? `the checkpoint of epoch ${kept} is kept — resume to continue` : 'no epoch had finished yet'}`;
      this.emit('trainEnded', { runId: this.training.runId, status: 'failed', epochsCompleted: kept, error: this.training.error });
    }
    if (this.restartTimes.length >= (this.options.maxRestarts ?? 3)) {
      this.setEngineState('failed', `The engine process keeps stopping (${how}); not restarting it again. Restart the app.`, false);
      return;
    }
    this.restartTimes.push(now);
    this.restarts++;
    this.invalidateEmbeddings();
    try {
      await this.startEngine();
      const restored: string[] = [];
      if (this.datasetSource) {
        this.dataset = await this.request('openDataset', this.datasetSource);
        restored.push(`dataset ${this.dataset.name}`);
      }
      // The training's folder holds the last checkpoint it wrote (maybe one the event never reported).
      const candidates = [wasTraining ? this.training.dir : null, this.model?.dir ?? null].filter((d): d is string => Boolean(d));
      for (const dir of candidates) {
        if (!(await exists(join(dir, 'manifest.json')))) continue;
        try {
          const info = await this.request('loadModel', { dir });
          this.setModel(info, this.modelIsDefault && dir === this.model?.dir);
          if (dir === this.training.dir) this.training.lastCheckpointEpoch = info.epochsCompleted;
          restored.push(`model at epoch ${info.epochsCompleted}`);
          break;
        } catch (err) {
          this.notice('warning', `could not reload ${dir}: ${(err as Error).message}`);
        }
      }
      this.setEngineState('ready', `The engine restarted${restored.length ? ` and reloaded the ${restored.join(' and the ')}` : ''}.`, true);
      this.scheduleEmbeddings();
    } catch (err) {
      if (this.engineState !== 'crashed' && this.engineState !== 'starting') return;
      this.setEngineState('failed', `The engine could not be restarted: ${(err as Error).message}`, false);
    }
  }

  // -------------------------------------------------------------------------------------------
  // State

  private modelSummary(): ModelSummary | null {
    const m = this.model;
    if (!m) return null;
    const d = this.dataset;
    return {
      dir: m.dir,
      arch: m.arch,
      latentDim: m.latentDim,
      likelihood: m.likelihood,
      height: m.height,
      width: m.width,
      channels: m.channels,
      epochsCompleted: m.epochsCompleted,
      epochsPlanned: m.epochsPlanned,
      metrics: m.metrics.map(epochMetricsFromRecord),
      datasetName: m.datasetName,
      datasetFingerprint: m.datasetFingerprint,
      fitsDataset: Boolean(d && d.height === m.height && d.width === m.width && d.channels === m.channels),
      isDefault: this.modelIsDefault,
    };
  }

  private setModel(info: EngineModelInfo, isDefault: boolean): void {
    this.model = info;
    this.modelIsDefault = isDefault;
    this.invalidateEmbeddings();
    this.emit('modelChanged', this.modelSummary());
  }

  status(): Status {
    return {
      backend: this.backend?.backend ?? null,
      fallbacks: this.backend?.fallbacks ?? [],
      engine: {
        state: this.engineState,
        restarts: this.restarts,
        message: this.engineMessage,
        ...(this.options.exposeEnginePid && this.enginePid && this.engine?.alive ? { pid: this.enginePid } : {}),
      },
      dataset: this.dataset,
      model: this.modelSummary(),
      training: { ...this.training },
      project: this.projectPath ? { path: this.projectPath } : null,
      embeddingsReady: this.embeddingsCache?.version === this.embeddingsVersion,
      allowedRoots: this.paths.list(),
      dataDir: this.options.dataDir,
      nativeDialogs: this.options.nativeDialogs ?? false,
    };
  }

  private trainingBusy(): boolean {
    return this.training.state === 'running' || this.training.state === 'cancelling';
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  async openDataset(source: DatasetSource, options: { embed?: boolean } = {}): Promise<DatasetSummary> {
    if (this.trainingBusy()) throw new ContractError('busy', 'cannot open another dataset while training: cancel the training first');
    let checked = source;
    if (source.kind === 'folder') checked = { ...source, path: await this.paths.check(source.path, 'the image folder') };
    const summary = await this.request('openDataset', checked);
    this.datasetSource = checked;
    this.dataset = summary;
    this.invalidateEmbeddings();
    this.emit('datasetChanged', summary);
    if (this.model) this.emit('modelChanged', this.modelSummary());
    if (summary.skipped.length) this.notice('warning', `${summary.skipped.length} file(s) could not be read (first: ${summary.skipped[0].file}: ${summary.skipped[0].reason})`);
    if (options.embed ?? true) this.scheduleEmbeddings();
    return summary;
  }

  private startTraining(args: TrainArgs, runId: string): CallOutput<'trainStart'> {
    this.trainArgs = args;
    this.training = { state: 'running', runId, dir: args.dir, epochs: args.epochs, epoch: 0, lastCheckpointEpoch: 0, error: null };
    if (args.resume && this.model?.dir === args.dir) this.training.lastCheckpointEpoch = this.model.epochsCompleted;
    const engine = this.engine;
    void this.request('train', args).then(
      (result) => {
        if (this.training.runId !== runId) return;
        this.training.state = result.cancelled ? 'cancelled' : 'done';
        this.training.epoch = result.epochsCompleted;
        if (result.model) this.setModel(result.model, false);
        this.emit('trainEnded', { runId, status: this.training.state, epochsCompleted: result.epochsCompleted, error: null });
        this.scheduleEmbeddings();
      },
      (err: Error) => {
        if (this.training.runId !== runId || !this.trainingBusy()) return;
        // An engine crash is reported by recover(); anything else ends the run here.
        if (engine !== this.engine || !this.engine?.alive) return;
        this.training.state = 'failed';
        this.training.error = err.message;
        this.emit('trainEnded', { runId, status: 'failed', epochsCompleted: this.training.lastCheckpointEpoch, error: err.message });
      },
    );
    return { runId, dir: args.dir, epochs: args.epochs };
  }

  async trainStart(s: TrainSettings): Promise<CallOutput<'trainStart'>> {
    if (this.trainingBusy()) throw new ContractError('busy', 'a training is already running: cancel it first');
    if (!this.dataset) throw new ContractError('no-dataset', 'open a dataset (MNIST or an image folder) before training');
    if (s.arch === 'conv' && this.dataset.height % 4 !== 0) throw new ContractError('bad-arguments', `conv needs an image size that divides by 4, the dataset has ${this.dataset.height}`);
    await this.ensureEngine();
    const runId = newRunId();
    const dir = join(this.options.dataDir, 'models', runId);
    const args: TrainArgs = {
      dir,
      resume: false,
      arch: s.arch,
      latentDim: s.latentDim,
      epochs: s.epochs,
      batchSize: s.batchSize ?? 128,
      lr: s.lr ?? 1e-3,
      beta: s.beta ?? 1,
      likelihood: s.likelihood ?? 'bernoulli',
      binarize: s.binarize ?? false,
      seed: s.seed ?? 0,
      ...(s.limit ? { limit: s.limit } : {}),
    };
    return this.startTraining(args, runId);
  }

  async trainCancel(): Promise<CallOutput<'trainCancel'>> {
    if (!this.trainingBusy()) return { cancelled: false };
    this.training.state = 'cancelling';
    const { cancelled } = await this.request('cancel', {});
    return { cancelled };
  }

  async trainResume(epochs: number | undefined): Promise<CallOutput<'trainResume'>> {
    if (this.trainingBusy()) throw new ContractError('busy', 'a training is already running');
    const model = this.model;
    if (!model) throw new ContractError('no-model', 'no model to resume: train one or open a project');
    if (!model.training) throw new ContractError('no-training', 'this model has no training settings to resume with');
    if (!this.dataset) throw new ContractError('no-dataset', 'open the dataset the model was trained on first');
    const total = epochs ?? model.training.epochs;
    if (total <= model.epochsCompleted) {
      throw new ContractError('bad-arguments', `the model already has ${model.epochsCompleted} epoch(s): ask for more than that to resume`);
    }
    // Resume writes checkpoints into the model's folder: a model trained here continues in place;
    // others (the default model, a project's) are copied to a new run in the data dir first.
    let dir = resolve(model.dir);
    let runId = basename(dir);
    if (this.modelIsDefault || !isWithin(resolve(this.options.dataDir, 'models'), dir)) {
      runId = newRunId();
      dir = join(this.options.dataDir, 'models', runId);
      await cp(model.dir, dir, { recursive: true });
    }
    const t = model.training;
    const args: TrainArgs = {
      dir,
      resume: true,
      arch: model.arch,
      latentDim: model.latentDim,
      epochs: total,
      batchSize: t.batchSize,
      lr: t.lr,
      beta: t.beta,
      likelihood: model.likelihood,
      binarize: t.binarize,
      seed: t.seed,
      ...(t.limit ? { limit: t.limit } : {}),
    };
    await this.ensureEngine();
    return this.startTraining(args, runId);
  }

  /** Per-point reconstruction error and KL of the current embeddings (once per model and dataset). */
  async pointStats(): Promise<EngineResults['pointStats']> {
    const version = this.embeddingsVersion;
    if (this.statsCache?.version === version) return this.statsCache.promise;
    await this.embeddings();
    const promise = this.request('pointStats', {});
    this.statsCache = { version, promise };
    promise.catch(() => {
      if (this.statsCache?.promise === promise) this.statsCache = null;
    });
    return promise;
  }

  private invalidateEmbeddings(): void {
    this.embeddingsVersion++;
    this.embeddingsCache = null;
  }

  /** Computes the embeddings ahead of the renderer asking, when a model and a fitting dataset are open. */
  private scheduleEmbeddings(): void {
    const m = this.modelSummary();
    if (!m || !m.fitsDataset) return;
    this.embeddings().catch((err: Error) => {
      if (!this.stopping) this.notice('warning', `embedding the dataset failed: ${err.message}`);
    });
  }

  async embeddings(): Promise<EngineResults['embed']> {
    const version = this.embeddingsVersion;
    if (this.embeddingsCache?.version === version) return this.embeddingsCache.value;
    if (this.embeddingsPending?.version === version) return this.embeddingsPending.promise;
    if (!this.model) throw new ContractError('no-model', 'no model yet: train one or open a project');
    if (!this.dataset) throw new ContractError('no-dataset', 'no dataset is open');
    const promise = this.request('embed', {}).then((value) => {
      if (this.embeddingsVersion === version) {
        this.embeddingsCache = { version, value };
        this.emit('embeddingsReady', { count: value.count, modelEpoch: value.modelEpoch });
      }
      return value;
    });
    this.embeddingsPending = { version, promise };
    promise.finally(() => {
      if (this.embeddingsPending?.promise === promise) this.embeddingsPending = null;
    }).catch(() => {});
    return promise;
  }

  async export(a: {
    path: string;
    keyframes: Float32Array;
    frames: number;
    mode?: 'linear' | 'spherical' | ('linear' | 'spherical')[];
    easing?: 'linear' | 'ease-in' | 'ease-out' | 'ease-in-out';
    loop?: 'none' | 'ping-pong';
    spacing?: 'length' | 'equal';
    fps?: number;
    scale?: number;
  }): Promise<CallOutput<'export'>> {
    const checked = await this.paths.check(a.path, 'the export target');
    // A trailing slash asks for a folder of PNG frames: keep it through the canonical form.
    const path = /[\\/]$/.test(a.path) ? checked + sep : checked;
    return this.request('export', {
      path,
      keyframes: a.keyframes,
      frames: a.frames,
      mode: a.mode ?? 'linear',
      ...(a.easing ? { easing: a.easing } : {}),
      ...(a.loop ? { loop: a.loop } : {}),
      ...(a.spacing ? { spacing: a.spacing } : {}),
      fps: a.fps ?? 30,
      scale: a.scale ?? 1,
    });
  }

  async exportImage(raw: string, z: Float32Array, scale: number): Promise<CallOutput<'exportImage'>> {
    const path = await this.paths.check(raw, 'the image file');
    if (!/\.png$/i.test(path)) throw new ContractError('bad-arguments', `the image file must end in .png: ${raw}`);
    return this.request('exportImage', { path, z, scale });
  }

  /** The embeddings as CSV (id, label, z…, x, y, z), written to a temp file and renamed. */
  async exportPoints(raw: string): Promise<CallOutput<'exportPoints'>> {
    const path = await this.paths.check(raw, 'the CSV file');
    const e = await this.embeddings();
    const d = e.latentDim;
    const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [['id', 'label', ...Array.from({ length: d }, (_, j) => `z${j}`), 'x', 'y', 'z'].join(',')];
    for (let i = 0; i < e.count; i++) {
      const label = e.labels[i] >= 0 ? (e.labelNames[e.labels[i]] ?? String(e.labels[i])) : '';
      const zs = Array.from(e.mu.subarray(i * d, (i + 1) * d), (v) => v.toPrecision(6));
      const xyz = Array.from(e.view.subarray(i * 3, i * 3 + 3), (v) => v.toPrecision(6));
      lines.push([e.ids[i], csvField(label), ...zs, ...xyz].join(','));
    }
    const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
    const tmp = join(resolve(path, '..'), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { path, bytes: bytes.byteLength, rows: e.count };
  }

  async pathSave(raw: string, doc: PathDoc): Promise<CallOutput<'pathSave'>> {
    const path = await this.paths.check(raw, 'the path file');
    if (this.model && doc.latentDim !== this.model.latentDim) {
      throw new ContractError('bad-arguments', `the path has latent size ${doc.latentDim} but the model's is ${this.model.latentDim}`);
    }
    const bytes = await writePathFile(path, doc);
    return { path, bytes };
  }

  async pathOpen(raw: string): Promise<PathDoc> {
    const path = await this.paths.check(raw, 'the path file');
    return readPathFile(path, this.model?.latentDim);
  }

  // -------------------------------------------------------------------------------------------
  // Projects

  /** Writes the open state to the project folder `path` (one write at a time). */
  private writeProject(path: string): Promise<ProjectFile> {
    const write = async (): Promise<ProjectFile> => {
      const cached = this.embeddingsCache?.version === this.embeddingsVersion ? this.embeddingsCache.value : null;
      const missing = this.missingDataset;
      const file = await saveProject(path, {
        dataset: missing ? missing.source : this.datasetSource,
        datasetName: missing ? missing.name : (this.dataset?.name ?? null),
        datasetFingerprint: missing ? missing.fingerprint : (this.dataset?.fingerprint ?? null),
        modelDir: this.model?.dir ?? null,
        view: this.view,
        embeddings: cached,
        keepEmbeddings: path === this.projectPath ? (this.projectFile?.embeddings ?? null) : null,
      });
      if (path === this.projectPath || this.projectPath === null) this.projectFile = file;
      return file;
    };
    const result = this.saving.then(write, write);
    this.saving = result.catch(() => undefined);
    return result;
  }

  private async remember(path: string): Promise<void> {
    await rememberProject(this.options.dataDir, { path, name: projectName(path), savedAt: this.projectFile?.savedAt ?? new Date().toISOString() }).catch((err: Error) =>
      this.notice('warning', `could not update the list of recent projects: ${err.message}`),
    );
  }

  async projectSave(raw: string, view?: ProjectView): Promise<CallOutput<'projectSave'>> {
    const path = await this.paths.check(raw, 'the project folder');
    if (!this.model && !this.datasetSource && !this.missingDataset) throw new ContractError('nothing-to-save', 'nothing to save yet: open a dataset or train a model first');
    if (view) this.view = view;
    const switching = path !== this.projectPath;
    const file = await this.writeProject(path);
    if (switching) {
      this.projectPath = path;
      this.projectFile = file;
    }
    await this.remember(path);
    return { path };
  }

  /** Remembers the renderer's view; with `autosave`, writes it to the open project now. */
  async projectUpdate(view: ProjectView, autosave: boolean): Promise<CallOutput<'projectUpdate'>> {
    this.view = view;
    const path = this.projectPath;
    if (!autosave || !path) return { saved: false, path };
    await this.writeProject(path);
    return { saved: true, path };
  }

  async recentProjects(): Promise<(RecentProject & { exists: boolean })[]> {
    const list = await readRecentProjects(this.options.dataDir);
    return Promise.all(list.map(async (r) => ({ ...r, exists: await exists(join(r.path, 'project.json')) })));
  }

  /** Uses the project's saved embeddings when they belong to the open model and dataset. */
  private async restoreEmbeddings(): Promise<boolean> {
    const entry = this.projectFile?.embeddings;
    const dir = this.projectPath;
    const version = this.embeddingsVersion;
    if (!entry || !dir || !this.dataset || !this.model) return false;
    if (entry.datasetFingerprint !== this.dataset.fingerprint || entry.latentDim !== this.model.latentDim) return false;
    if ((await weightsHash(this.model.dir)) !== entry.weightsHash) return false;
    const data = await readEmbeddings(dir, entry);
    if (!data) {
      this.notice('warning', `the saved points of ${dir} could not be read (missing or damaged): they are computed again`);
      return false;
    }
    if (version !== this.embeddingsVersion) return false;
    this.embeddingsCache = { version, value: data };
    this.emit('embeddingsReady', { count: data.count, modelEpoch: data.modelEpoch });
    return true;
  }

  async projectOpen(raw: string): Promise<ProjectSummary> {
    if (this.trainingBusy()) throw new ContractError('busy', 'cannot open a project while training: cancel the training first');
    // A project from the recent list was chosen by the user before.
    const recent = await readRecentProjects(this.options.dataDir).catch(() => []);
    const path = recent.some((r) => r.path === resolve(raw)) && !(await this.paths.isAllowed(raw)) ? await this.paths.add(raw) : await this.paths.check(raw, 'the project folder');
    const { file, view } = await readProject(path);

    // Check the model before changing anything.
    let hash: string | null = null;
    if (file.model) {
      hash = await weightsHash(join(path, file.model));
      if (file.weightsHash && hash !== file.weightsHash) {
        throw new ProjectError(`the model in ${path} does not match its project.json (the weights changed since the project was saved): the project is not opened`);
      }
    }
    let missingFolder: string | null = null;
    if (file.dataset?.kind === 'folder' && !(await stat(file.dataset.path).catch(() => null))?.isDirectory()) missingFolder = file.dataset.path;

    if (file.dataset && !missingFolder) {
      // The project was chosen by the user, and with it the image folder it names.
      if (file.dataset.kind === 'folder') await this.paths.add(file.dataset.path);
      // The project's own model is embedded once it is loaded, not the one open before.
      const dataset = await this.openDataset(file.dataset, { embed: false });
      if (file.datasetFingerprint && dataset.fingerprint !== file.datasetFingerprint) {
        this.notice('warning', `the images of ${dataset.name} changed since the project was saved: the points are computed again`);
      }
    } else if (missingFolder) {
      this.datasetSource = null;
      this.dataset = null;
      this.invalidateEmbeddings();
      this.emit('datasetChanged', null);
    }
    this.missingDataset = missingFolder && file.dataset ? { source: file.dataset, name: file.datasetName ?? null, fingerprint: file.datasetFingerprint ?? null } : null;
    if (file.model) {
      const info = await this.request('loadModel', { dir: join(path, file.model) });
      this.setModel(info, false);
    }
    this.projectPath = path;
    this.projectFile = file;
    this.view = view;
    if (!(await this.restoreEmbeddings())) this.scheduleEmbeddings();
    await this.remember(path);
    const summary: ProjectSummary = { path, dataset: this.dataset, model: this.modelSummary(), weightsHash: hash, view, missingFolder };
    this.emit('projectOpened', summary);
    if (missingFolder) this.emit('projectMissingFolder', { project: path, folder: missingFolder });
    return summary;
  }

  /** The open project's image folder moved: open it from its new place and write that into the project. */
  async projectRelocate(raw: string): Promise<DatasetSummary> {
    const missing = this.missingDataset;
    const project = this.projectPath;
    if (!missing || !project || missing.source.kind !== 'folder') throw new ContractError('no-missing-folder', 'the open project is not missing its image folder');
    const folder = await this.paths.check(raw, 'the image folder');
    const dataset = await this.openDataset({ ...missing.source, path: folder }, { embed: false });
    if (missing.fingerprint && dataset.fingerprint !== missing.fingerprint) {
      this.notice('warning', `${folder} does not hold the same images as ${missing.source.path} did: the points are computed again`);
    }
    this.missingDataset = null;
    if (!(await this.restoreEmbeddings())) this.scheduleEmbeddings();
    await this.writeProject(project);
    this.notice('info', `the project now finds its images in ${folder}`);
    return dataset;
  }

}
