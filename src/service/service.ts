/**
 * The app's behaviour behind the contract, shared by both transports (Electron's main process and
 * the serve host): the handler table of every call, and the status. The work is done by its parts:
 *  - EngineSupervisor (engine-supervisor.ts): the engine process, restarted when it dies;
 *  - Workspace (workspace.ts): the open dataset and model, and their embeddings;
 *  - Training (training.ts): training runs, a checkpoint every epoch in the data dir;
 *  - Projects (projects.ts): the open project folder, autosave, recent projects;
 *  - FileExports (file-exports.ts): animations, images, CSV and path files the user writes;
 *  - ModelLibrary (library.ts): the models of the data dir and the default model.
 * Every path that arrives is checked against the folders the user chose (AllowedPaths).
 */
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  ENCODE_NEIGHBOURS,
  type CallOutput,
  type DatasetSource,
  type DatasetSummary,
  type MetadataImport,
  type Status,
  type TrainSettings,
} from '../shared/contract';
import type { EngineEvent } from '../shared/engine-protocol';
import { exists } from '../node/files';
import { sweepFolder } from '../node/dir-swap';
import { AllowedPaths } from './allowed-paths';
import { decodeInSlices } from './decode-slices';
import type { Handlers } from './dispatch';
import type { SpawnEngine } from './engine-client';
import type { EngineQueueOptions } from './engine-queue';
import { EngineSupervisor } from './engine-supervisor';
import { ServiceEvents, type Listener } from './events';
import { FileExports } from './file-exports';
import { ModelLibrary } from './library';
import { newModelName } from './library-names';
import { joinMetadata } from './metadata-join';
import { MetadataError, readMetadataFile } from './metadata-read';
import { LibraryTrash } from './library-trash';
import { ModelTransfer } from './library-transfer';
import { Projects } from './projects';
import { VideoExports } from './video-exports';
import { SelectionExport } from './selection-export';
import { Training } from './training';
import { Workspace } from './workspace';

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
  /** Where save paths default to (the Electron shell passes the OS pictures folder's Latentscape/); `<dataDir>/exports` when not given. Always an allowed root. */
  exportsDir?: string;
  /** Restarts allowed within restartWindowMs before the service gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** The bounds of the queue in front of the engine (engine-queue.ts). */
  queue?: EngineQueueOptions;
}

export class AppService {
  readonly paths: AllowedPaths;
  readonly handlers: Handlers;
  private readonly events = new ServiceEvents();
  private readonly engine: EngineSupervisor;
  private readonly workspace: Workspace;
  private readonly training: Training;
  private readonly projects: Projects;
  private readonly files: FileExports;
  private readonly library: ModelLibrary;
  /** The folder of the run the dead engine was training (its last checkpoint is reloaded). */
  private lostRunDir: string | null = null;

  constructor(private readonly options: ServiceOptions) {
    this.paths = new AllowedPaths(options.pathHint ?? 'choose it with a dialog or drop it on the window first');
    this.engine = new EngineSupervisor(options, this.events, {
      onEvent: (e) => this.onEngineEvent(e),
      onLost: () => {
        this.lostRunDir = this.training.engineLost();
      },
      beforeRestart: () => this.workspace.invalidate('restarted'),
      restore: () => this.restoreAfterRestart(),
      afterRestart: () => this.workspace.scheduleEmbeddings(),
    });
    this.workspace = new Workspace(this.engine, this.events, this.paths, () =>
      this.training.busy ? 'cannot open another dataset while training: cancel the training first' : null,
    );
    this.training = new Training(options.dataDir, this.engine, this.events, this.workspace);
    this.projects = new Projects(options.dataDir, this.paths, this.engine, this.events, this.workspace, () => this.training.busy);
    this.files = new FileExports(this.paths, this.engine, this.workspace);
    this.library = new ModelLibrary({
      dataDir: options.dataDir,
      defaultModelDir: options.defaultModelDir ?? null,
      engine: this.engine,
      workspace: this.workspace,
      paths: this.paths,
      trainingDir: () => (this.training.busy ? this.training.dir : null),
    });
    const { engine, workspace, training, projects, files, library } = this;
    const trash = new LibraryTrash(library.trashDir);
    const transfer = new ModelTransfer(library, this.paths, () => (training.busy ? training.dir : null));
    const selectionOut = new SelectionExport(this.paths, engine, workspace, this.events);
    const video = new VideoExports(this.paths, engine, workspace);
    this.handlers = waitingForRestarts(engine, {
      status: async () => this.status(),
      choosePath: async () => ({ path: null, supported: false }),
      openDataset: (a) => this.openDataset(a.source),
      trainStart: (a) => this.trainStart(a),
      trainCancel: () => training.cancel(),
      trainResume: (a) => training.resume(a.epochs),
      // What depends on the open pair is stamped with its generation, or refused as stale (workspace.current).
      embeddings: () => workspace.current(() => workspace.embeddings()),
      projection: (a) =>
        workspace.current(async () => {
          const embeddings = await workspace.embeddings();
          return !a.kind || a.kind === embeddings.projection.kind ? embeddings.projection : engine.request('fitProjection', { kind: a.kind });
        }),
      decode: (a) =>
        workspace.current(() =>
          decodeInSlices(
            (z) => engine.request('decode', { z }),
            a.z,
            workspace.model?.latentDim ?? null,
            () => workspace.generation,
          ),
        ),
      reconstruct: (a) => workspace.current(() => engine.request('reconstruct', { index: a.index })),
      nearest: (a) =>
        workspace.current(() => engine.request('nearest', { z: a.z, k: a.k, ...(a.space ? { space: a.space } : {}), ...(a.among ? { among: a.among } : {}) })),
      pointStats: () => workspace.current(() => workspace.pointStats()),
      atlas: (a) => engine.request('atlas', { page: a.page }),
      datasetFiles: () => workspace.current(() => engine.request('datasetFiles', {})),
      metadataImport: (a) => this.importMetadata(a.path),
      interpolate: (a) =>
        workspace.current(() =>
          engine.request('interpolate', {
            keyframes: a.keyframes,
            frames: a.frames,
            mode: a.mode ?? 'linear',
            easing: a.easing ?? 'linear',
            loop: a.loop ?? 'none',
            spacing: a.spacing ?? 'length',
            decode: a.decode ?? false,
          }),
        ),
      export: (a) => files.animation(a),
      exportCancel: () => engine.request('exportCancel', {}),
      exportFrames: (a) => video.frames(a),
      exportVideo: (a) => video.write(a.path, a.bytes, a),
      pathFromExport: (a) => video.read(a.name, a.bytes),
      exportImage: (a) => files.image(a.path, a.z, a.scale ?? 1, a),
      exportPoints: (a) => files.points(a.path, a),
      pathSave: (a) => files.pathSave(a.path, a.doc, a),
      pathOpen: (a) => files.pathOpen(a.path),
      projectSave: (a) => projects.save(a.path, a.view, a),
      projectOpen: (a) => projects.open(a.path),
      projectUpdate: (a) => projects.update(a.view, a.autosave),
      recentProjects: async () => ({ projects: await projects.recent() }),
      projectCurrent: async () => projects.current(),
      projectRelocate: (a) => projects.relocate(a.folder),
      modelsList: () => library.list(),
      modelOpen: (a) => library.open(a.id),
      modelRename: (a) => library.rename(a.id, a.name),
      modelDuplicate: (a) => library.duplicate(a.id),
      modelDelete: (a) => library.delete(a.id),
      modelRestore: (a) => library.restore(a.trashId),
      modelSamples: (a) => library.samples(a.id, a.count),
      modelImport: (a) => transfer.import(a.path),
      modelExport: (a) => transfer.export(a.id, a.parent),
      trashList: () => trash.list(),
      trashEmpty: (a) => trash.empty(a.trashIds),
      encodeImage: (a) => engine.request('encodeImage', { name: a.name, bytes: a.bytes, k: ENCODE_NEIGHBOURS }),
      selectionExport: (a) => selectionOut.export(a),
      selectionExportCancel: async () => selectionOut.cancel(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Events

  on(listener: Listener): () => void {
    return this.events.on(listener);
  }

  /** A message for the user (the renderer shows it as a notice). */
  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.events.notice(level, message);
  }

  private onEngineEvent(e: EngineEvent): void {
    if (this.training.onEngineEvent(e)) return;
    switch (e.type) {
      case 'ingest':
        this.events.emit('ingestProgress', { done: e.done, total: e.total });
        break;
      case 'log':
        this.events.notice('info', e.message);
        break;
      case 'export':
        this.events.emit('exportProgress', { stage: e.stage, done: e.done, total: e.total });
        break;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts the engine and opens the default model when there is one. */
  async start(): Promise<void> {
    await mkdir(this.options.dataDir, { recursive: true });
    await this.paths.add(this.options.dataDir);
    // Created by the first save into it (writes make their folder), not here.
    await this.paths.add(this.exportsDir);
    for (const root of this.options.allowedRoots ?? []) await this.paths.add(root);
    // A run killed mid-save leaves hidden stages in models/: put its model back, delete the rest.
    await sweepFolder(join(this.options.dataDir, 'models')).catch((err: Error) => this.notice('warning', `models/ could not be tidied: ${err.message}`));
    if (!this.engine.alive) await this.engine.start();
    await this.openDefaultModel();
  }

  /** Where save paths default to: never a dataset's folder. */
  get exportsDir(): string {
    return this.options.exportsDir ?? join(this.options.dataDir, 'exports');
  }

  stop(): Promise<void> {
    return this.engine.stop();
  }

  private async openDefaultModel(): Promise<void> {
    const dir = this.options.defaultModelDir;
    if (!dir || !(await exists(join(dir, 'manifest.json')))) return;
    try {
      const info = await this.engine.request('loadModel', { dir: resolve(dir) });
      this.workspace.setModel(info, true);
      if (this.workspace.dataset === null && info.datasetName === 'MNIST') await this.workspace.openDataset({ kind: 'mnist' });
    } catch (err) {
      this.notice('warning', `the default model could not be opened: ${(err as Error).message}`);
    }
  }

  /** Reads the user's CSV or Parquet file and joins it to the open dataset's files (metadata-join.ts). */
  private async importMetadata(raw: string): Promise<MetadataImport> {
    const path = await this.paths.check(raw, 'the metadata file');
    const dataset = this.workspace.dataset;
    if (!dataset) throw new MetadataError('open a dataset first: metadata is joined to its images');
    const table = await readMetadataFile(path, basename(path));
    const { files } = await this.engine.request('datasetFiles', {});
    return joinMetadata(table, files, dataset.count, basename(path));
  }

  /** A new engine after a crash: reopen the dataset and reload the model (the training's last checkpoint first). */
  private async restoreAfterRestart(): Promise<string[]> {
    const restored: string[] = [];
    const dataset = await this.workspace.reopenDataset();
    if (dataset) restored.push(`dataset ${dataset.name}`);
    const model = this.workspace.model;
    // The training's folder holds the last checkpoint it wrote (maybe one the event never reported).
    const candidates = [this.lostRunDir, model?.dir ?? null].filter((d): d is string => Boolean(d));
    this.lostRunDir = null;
    for (const dir of candidates) {
      if (!(await exists(join(dir, 'manifest.json')))) continue;
      try {
        const info = await this.engine.request('loadModel', { dir });
        this.workspace.setModel(info, this.workspace.isDefaultModel && dir === this.workspace.model?.dir, 'restarted');
        this.training.modelReloaded(dir, info.epochsCompleted);
        restored.push(`model at epoch ${info.epochsCompleted}`);
        break;
      } catch (err) {
        this.notice('warning', `could not reload ${dir}: ${(err as Error).message}`);
      }
    }
    return restored;
  }

  // -------------------------------------------------------------------------------------------
  // Calls the transports make directly (the Electron menu, dropped folders) and the tests use

  openDataset(source: DatasetSource, options: { embed?: boolean } = {}): Promise<DatasetSummary> {
    // At once, not when the new generation comes: the last run's outcome is not shown over the ingest.
    this.training.forgetFinished();
    return this.workspace.openDataset(source, options);
  }

  /** A new model is named after its dataset and settings ("holiday-photos · conv d32 · 3 min"); its id stays the run's folder. */
  async trainStart(s: TrainSettings): Promise<CallOutput<'trainStart'>> {
    const run = await this.training.start(s);
    const dataset = this.workspace.dataset;
    if (dataset) {
      await this.library.names
        .set(run.runId, newModelName(dataset.name, s))
        .catch((err: Error) => this.notice('warning', `the new model keeps its folder's name: ${err.message}`));
    }
    return run;
  }

  trainResume(epochs: number | undefined): Promise<CallOutput<'trainResume'>> {
    return this.training.resume(epochs);
  }

  status(): Status {
    return {
      ...this.engine.status(),
      dataset: this.workspace.dataset,
      model: this.workspace.modelSummary(),
      training: this.training.snapshot(),
      project: this.projects.path ? { path: this.projects.path } : null,
      embeddingsReady: this.workspace.embeddingsReady,
      generation: this.workspace.generation,
      allowedRoots: this.paths.list(),
      dataDir: this.options.dataDir,
      nativeDialogs: this.options.nativeDialogs ?? false,
      exportsDir: this.exportsDir,
    };
  }
}

/**
 * Every call first waits out an engine restart: until the new engine has reloaded what was open, the
 * service's open model and run are the dead engine's, so a status would name the wrong model, a decode
 * would find none loaded and a resume would continue the wrong one.
 */
function waitingForRestarts(engine: EngineSupervisor, handlers: Handlers): Handlers {
  const wrapped: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(handlers) as [string, (args: unknown) => Promise<unknown>][]) {
    wrapped[name] = async (args) => {
      await engine.settled();
      return handler(args);
    };
  }
  return wrapped as Handlers;
}
