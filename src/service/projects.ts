/**
 * The open project: save the open dataset, model, embeddings and view into a project folder, open
 * one (restoring its points without re-embedding when model and images are unchanged), autosave view
 * changes, find a moved image folder again, and keep the list of recent projects. The folder's format
 * is project-folder.ts.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ContractError,
  type CallOutput,
  type DatasetSource,
  type DatasetSummary,
  type InsideDatasetConfirmed,
  type ProjectSummary,
  type ProjectView,
} from '../shared/contract';
import type { AllowedPaths } from './allowed-paths';
import { refuseInsideDataset } from './dataset-folder-guard';
import type { EngineSupervisor } from './engine-supervisor';
import type { ServiceEvents } from './events';
import { ProjectError, projectName, readEmbeddings, readProject, saveProject, weightsHash, type ProjectFile } from './project-folder';
import { readRecentProjects, rememberProject, type RecentProject } from './recent';
import { exists } from '../node/files';
import { LEGACY_BACKGROUND } from '../shared/background';
import type { Workspace } from './workspace';

export class Projects {
  private projectPath: string | null = null;
  /** The open project's file as last read or written. */
  private projectFile: ProjectFile | null = null;
  /** The open project's image folder when it was not found (until relocate). */
  private missingDataset: { source: DatasetSource; name: string | null; fingerprint: string | null } | null = null;
  /** The renderer's view (camera, paths), saved with the project. */
  private view: ProjectView | null = null;
  /** Project writes one after another (autosaves may overlap). */
  private saving: Promise<unknown> = Promise.resolve();
  /**
   * The dataset and model the open project holds (as opened or saved by the user). Another dataset
   * or model closes the project: autosave writes only the view, never a switch the user did not save.
   */
  private held: { source: string; model: string | null } | null = null;
  /** True while a project is being opened or relocated (its own dataset and model arrive then). */
  private opening = false;

  constructor(
    private readonly dataDir: string,
    private readonly paths: AllowedPaths,
    private readonly engine: EngineSupervisor,
    private readonly events: ServiceEvents,
    private readonly workspace: Workspace,
    /** True while a training runs (a project cannot be opened then). */
    private readonly trainingBusy: () => boolean,
  ) {
    events.on((name) => {
      if (name === 'datasetChanged' || name === 'modelChanged') this.closeIfSwitched();
    });
  }

  private holding(): { source: string; model: string | null } {
    const source = this.missingDataset ? this.missingDataset.source : this.workspace.datasetSource;
    const model = this.workspace.model;
    // A model trained further in place (resume) is another model too.
    return { source: JSON.stringify(source), model: model ? `${model.dir}#${model.epochsCompleted}` : null };
  }

  /** The workspace now holds another dataset or model than the project: close the project, untouched. */
  private closeIfSwitched(): void {
    const path = this.projectPath;
    if (!path || this.opening || !this.held) return;
    const now = this.holding();
    if (now.source === this.held.source && now.model === this.held.model) return;
    const reason = now.source !== this.held.source ? 'another dataset was opened' : 'another model was opened';
    this.projectPath = null;
    this.projectFile = null;
    this.missingDataset = null;
    this.held = null;
    this.events.emit('projectClosed', { path, reason });
    this.events.notice('info', `the project ${projectName(path)} was closed (${reason}); it is kept as it was last saved`);
  }

  /** The open project's folder, or null. */
  get path(): string | null {
    return this.projectPath;
  }

  current(): CallOutput<'projectCurrent'> {
    return { path: this.projectPath, view: this.view, missingFolder: this.missingDataset?.source.kind === 'folder' ? this.missingDataset.source.path : null };
  }

  /**
   * Writes the open state to the project folder `path` (one write at a time). An autosave is
   * dropped when the project was closed while it waited (it would write a switch into it).
   */
  private write(path: string, autosave = false): Promise<ProjectFile | null> {
    const write = async (): Promise<ProjectFile | null> => {
      if (autosave && path !== this.projectPath) return null;
      // Nor does it copy other weights into the project (a checkpoint written into the open model's folder).
      const modelDir = this.workspace.model?.dir;
      if (autosave && modelDir && this.projectFile?.weightsHash && (await weightsHash(modelDir)) !== this.projectFile.weightsHash) return null;
      const missing = this.missingDataset;
      const dataset = this.workspace.dataset;
      const file = await saveProject(path, {
        dataset: missing ? missing.source : this.workspace.datasetSource,
        datasetName: missing ? missing.name : (dataset?.name ?? null),
        datasetFingerprint: missing ? missing.fingerprint : (dataset?.fingerprint ?? null),
        modelDir: this.workspace.model?.dir ?? null,
        view: this.view,
        embeddings: this.workspace.cachedEmbeddings(),
        keepEmbeddings: path === this.projectPath ? (this.projectFile?.embeddings ?? null) : null,
      });
      if (path === this.projectPath || this.projectPath === null) this.projectFile = file;
      if (path === this.projectPath) this.held = this.holding();
      return file;
    };
    const result = this.saving.then(write, write);
    this.saving = result.catch(() => undefined);
    return result;
  }

  private async remember(path: string): Promise<void> {
    await rememberProject(this.dataDir, { path, name: projectName(path), savedAt: this.projectFile?.savedAt ?? new Date().toISOString() }).catch((err: Error) =>
      this.events.notice('warning', `could not update the list of recent projects: ${err.message}`),
    );
  }

  async save(raw: string, view?: ProjectView, confirmed: InsideDatasetConfirmed = {}): Promise<CallOutput<'projectSave'>> {
    const path = await this.paths.check(raw, 'the project folder');
    if (!this.workspace.model && !this.workspace.datasetSource && !this.missingDataset)
      throw new ContractError('nothing-to-save', 'nothing to save yet: open a dataset or train a model first');
    // The open project is written where it is without asking (autosave does so too): the user chose its place already.
    if (path !== this.projectPath)
      await refuseInsideDataset(this.workspace.datasetSource, path, 'the project folder', confirmed, 'the next ingest would read the files it holds as images');
    if (view) this.view = await this.checkedView(view);
    const switching = path !== this.projectPath;
    const file = await this.write(path);
    if (switching && file) {
      this.projectPath = path;
      this.projectFile = file;
      this.held = this.holding();
    }
    await this.remember(path);
    return { path };
  }

  /** Remembers the renderer's view; with `autosave`, writes it to the open project now. */
  async update(view: ProjectView, autosave: boolean): Promise<CallOutput<'projectUpdate'>> {
    this.view = await this.checkedView(view);
    const path = this.projectPath;
    if (!autosave || !path) return { saved: false, path };
    const saved = await this.write(path, true);
    return { saved: saved !== null, path: saved ? path : this.projectPath };
  }

  /** A view names a metadata file the project will copy: only one the user chose (or the project's own copy). */
  private async checkedView(view: ProjectView): Promise<ProjectView> {
    if (!view.metadata) return view;
    return { ...view, metadata: { ...view.metadata, path: await this.paths.check(view.metadata.path, 'the metadata file') } };
  }

  async recent(): Promise<(RecentProject & { exists: boolean })[]> {
    const list = await readRecentProjects(this.dataDir);
    return Promise.all(list.map(async (r) => ({ ...r, exists: await exists(join(r.path, 'project.json')) })));
  }

  /** Uses the project's saved embeddings when they belong to the open model and dataset. */
  private async restoreEmbeddings(): Promise<boolean> {
    const entry = this.projectFile?.embeddings;
    const dir = this.projectPath;
    const generation = this.workspace.generation;
    const dataset = this.workspace.dataset;
    const model = this.workspace.model;
    if (!entry || !dir || !dataset || !model) return false;
    if (entry.datasetFingerprint !== dataset.fingerprint || entry.latentDim !== model.latentDim) return false;
    if ((await weightsHash(model.dir)) !== entry.weightsHash) return false;
    const data = await readEmbeddings(dir, entry);
    if (!data) {
      this.events.notice('warning', `the saved points of ${dir} could not be read (missing or damaged): they are computed again`);
      return false;
    }
    return this.workspace.adoptEmbeddings(generation, data);
  }

  async open(raw: string): Promise<ProjectSummary> {
    if (this.trainingBusy()) throw new ContractError('busy', 'cannot open a project while training: cancel the training first');
    // A project from the recent list was chosen by the user before: it is allowed again, but the grant
    // is taken back when it fails to open.
    const recent = await readRecentProjects(this.dataDir).catch(() => []);
    if (!recent.some((r) => r.path === resolve(raw)) || (await this.paths.isAllowed(raw)))
      return this.openAt(await this.paths.check(raw, 'the project folder'));
    const granted = await this.paths.add(raw);
    try {
      return await this.openAt(granted);
    } catch (err) {
      this.paths.remove(granted);
      throw err;
    }
  }

  private async openAt(path: string): Promise<ProjectSummary> {
    this.opening = true;
    try {
      return await this.openProject(path);
    } finally {
      this.opening = false;
      // A project that failed half-way may have changed what is open: the one open before closes.
      this.closeIfSwitched();
    }
  }

  private async openProject(path: string): Promise<ProjectSummary> {
    const { file: read, view } = await readProject(path);
    // A project saved before the background was a setting holds a folder flattened onto black.
    const file: ProjectFile =
      read.dataset?.kind === 'folder' && read.dataset.background === undefined
        ? { ...read, dataset: { ...read.dataset, background: LEGACY_BACKGROUND } }
        : read;

    // Check the model before changing anything.
    let hash: string | null = null;
    if (file.model) {
      hash = await weightsHash(join(path, file.model));
      if (file.weightsHash && hash !== file.weightsHash) {
        throw new ProjectError(
          `the model in ${path} does not match its project.json (the weights changed since the project was saved): the project is not opened`,
        );
      }
    }
    // A place becomes allowed only by the user's choice, never by what a file says: an image folder
    // outside the folders the user chose is asked for like a moved one (choosing it allows it).
    let missingFolder: string | null = null;
    if (file.dataset?.kind === 'folder') {
      const allowed = await this.paths.isAllowed(file.dataset.path);
      if (!allowed || !(await stat(file.dataset.path).catch(() => null))?.isDirectory()) missingFolder = file.dataset.path;
    }

    if (file.dataset && !missingFolder) {
      // The project's own model is embedded once it is loaded, not the one open before.
      const dataset = await this.workspace.openDataset(file.dataset, { embed: false });
      if (file.datasetFingerprint && dataset.fingerprint !== file.datasetFingerprint) {
        this.events.notice('warning', `the images of ${dataset.name} changed since the project was saved: the points are computed again`);
      }
    } else if (missingFolder) {
      this.workspace.closeDataset();
    }
    this.missingDataset =
      missingFolder && file.dataset ? { source: file.dataset, name: file.datasetName ?? null, fingerprint: file.datasetFingerprint ?? null } : null;
    if (file.model) {
      const info = await this.engine.request('loadModel', { dir: join(path, file.model) });
      this.workspace.setModel(info, false);
    }
    this.projectPath = path;
    this.projectFile = file;
    this.held = this.holding();
    this.view = view;
    if (!(await this.restoreEmbeddings())) this.workspace.scheduleEmbeddings();
    await this.remember(path);
    const summary: ProjectSummary = { path, dataset: this.workspace.dataset, model: this.workspace.modelSummary(), weightsHash: hash, view, missingFolder };
    this.events.emit('projectOpened', summary);
    if (missingFolder) this.events.emit('projectMissingFolder', { project: path, folder: missingFolder });
    return summary;
  }

  /** The open project's image folder moved: open it from its new place and write that into the project. */
  async relocate(raw: string): Promise<DatasetSummary> {
    const missing = this.missingDataset;
    const project = this.projectPath;
    if (!missing || !project || missing.source.kind !== 'folder')
      throw new ContractError('no-missing-folder', 'the open project is not missing its image folder');
    const folder = await this.paths.check(raw, 'the image folder');
    this.opening = true;
    let dataset: DatasetSummary;
    try {
      dataset = await this.workspace.openDataset({ ...missing.source, path: folder }, { embed: false });
    } finally {
      this.opening = false;
    }
    if (missing.fingerprint && dataset.fingerprint !== missing.fingerprint) {
      this.events.notice('warning', `${folder} does not hold the same images as ${missing.source.path} did: the points are computed again`);
    }
    this.missingDataset = null;
    this.held = this.holding();
    if (!(await this.restoreEmbeddings())) this.workspace.scheduleEmbeddings();
    await this.write(project);
    this.events.notice('info', `the project now finds its images in ${folder}`);
    return dataset;
  }
}
