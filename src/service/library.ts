/**
 * The model library: the model folders of the data dir's models/ and the built-in default model.
 * The page names a model only by the id the listing gave (a folder name, checked by the contract,
 * or DEFAULT_MODEL_ID); a path never comes from the page. Manifests are read by the engine's strict
 * parser (inspectModel), so nothing in a folder is trusted beyond it. Deletes (a move into trash/) and
 * restores are single renames inside the data dir, so each is atomic; a duplicate is copied to a
 * temporary sibling first and renamed into place. A rename changes the name shown, never the folder
 * (library-names.ts), so the open model can be renamed.
 */
import { lstat, mkdir, readdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ContractError, DEFAULT_MODEL_ID, MODEL_NAME_PATTERN, type CallOutput, type DatasetSummary, type LibraryModel } from '../shared/contract';
import type { EngineModelInspection } from '../shared/engine-protocol';
import { exists } from '../node/files';
import { sweepFolder } from '../node/dir-swap';
import type { AllowedPaths } from './allowed-paths';
import type { EngineSupervisor } from './engine-supervisor';
import { copyModelFolder, freeName } from './library-files';
import { ModelNames } from './library-names';
import { SampleStrips } from './library-samples';
import type { Workspace } from './workspace';

export interface LibraryDeps {
  dataDir: string;
  defaultModelDir: string | null;
  engine: EngineSupervisor;
  workspace: Workspace;
  paths: AllowedPaths;
  /** The folder a running training writes (it cannot be renamed, deleted or opened), or null. */
  trainingDir: () => string | null;
}

export class ModelLibrary {
  private readonly strips: SampleStrips;
  /** What the user reads and renames; ids stay the folders' names. */
  readonly names: ModelNames;

  constructor(private readonly deps: LibraryDeps) {
    this.strips = new SampleStrips(deps.engine);
    this.names = new ModelNames(deps.dataDir);
  }

  get modelsDir(): string {
    return join(this.deps.dataDir, 'models');
  }

  get trashDir(): string {
    return join(this.deps.dataDir, 'trash');
  }

  /** The folder of a listed id; throws 'unknown-model' for anything else. */
  async dirOf(id: string): Promise<string> {
    if (id === DEFAULT_MODEL_ID) {
      const dir = this.deps.defaultModelDir;
      if (dir && (await exists(join(dir, 'manifest.json')))) return resolve(dir);
    } else if (MODEL_NAME_PATTERN.test(id)) {
      const dir = join(this.modelsDir, id);
      const info = await lstat(dir).catch(() => null);
      if (info?.isDirectory()) return dir;
    }
    throw new ContractError('unknown-model', `no model "${id.slice(0, 100)}" in the library`);
  }

  /** The engine's strict reading of `dir`; with `verify`, the weight files are read and checked too. */
  inspect(dir: string, verify = false): Promise<EngineModelInspection> {
    return this.deps.engine.request('inspectModel', verify ? { dir, verify } : { dir });
  }

  /** What is open, taken once per listing: the listing awaits each model, and a model opened meanwhile must not mark two rows open. */
  private openNow(): { dir: string | null; dataset: DatasetSummary | null } {
    return { dir: this.deps.workspace.model?.dir ?? null, dataset: this.deps.workspace.dataset };
  }

  private entry(id: string, x: EngineModelInspection, now: { dir: string | null; dataset: DatasetSummary | null }, name?: string): LibraryModel {
    const m = x.info;
    const open = now.dir === m.dir;
    const d = now.dataset;
    const last = m.metrics.at(-1);
    return {
      id,
      name: id === DEFAULT_MODEL_ID ? 'Default model' : (name ?? id),
      dataset: x.dataset ? { name: m.datasetName ?? x.dataset.kind, kind: x.dataset.kind, path: x.dataset.path } : null,
      height: m.height,
      width: m.width,
      channels: m.channels,
      arch: m.arch,
      latentDim: m.latentDim,
      likelihood: m.likelihood,
      epochs: m.epochsCompleted,
      testLoss: last ? last.test_loss : null,
      psnrDb: typeof last?.psnr_db === 'number' ? last.psnr_db : null,
      testBpd: typeof last?.test_bpd === 'number' ? last.test_bpd : null,
      ...(m.sampleQuality ? { sampleQuality: m.sampleQuality } : {}),
      date: x.updatedAt,
      readOnly: id === DEFAULT_MODEL_ID,
      open,
      fitsDataset: Boolean(d && d.height === m.height && d.width === m.width && d.channels === m.channels),
    };
  }

  async list(): Promise<CallOutput<'modelsList'>> {
    const models: LibraryModel[] = [];
    const unreadable: { id: string; reason: string }[] = [];
    const now = this.openNow();
    if (this.deps.defaultModelDir && (await exists(join(this.deps.defaultModelDir, 'manifest.json')))) {
      try {
        models.push(this.entry(DEFAULT_MODEL_ID, await this.inspect(resolve(this.deps.defaultModelDir)), now));
      } catch (err) {
        unreadable.push({ id: DEFAULT_MODEL_ID, reason: (err as Error).message });
      }
    }
    // An engine killed mid-save (a restart) leaves its model in a hidden stage: recover it first.
    await sweepFolder(this.modelsDir);
    const entries = await readdir(this.modelsDir, { withFileTypes: true }).catch(() => []);
    const names = (await this.names.read()).models;
    const found: LibraryModel[] = [];
    for (const e of entries) {
      // Only real folders with a listable name (temporary siblings start with '.').
      if (!e.isDirectory() || !MODEL_NAME_PATTERN.test(e.name)) continue;
      try {
        // Weights checked too: a truncated or corrupt model is listed as unreadable, not as a model.
        found.push(this.entry(e.name, await this.inspect(join(this.modelsDir, e.name), true), now, names[e.name]));
      } catch (err) {
        unreadable.push({ id: e.name, reason: (err as Error).message });
      }
    }
    found.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id.localeCompare(b.id)));
    return { models: [...models, ...found], unreadable };
  }

  private refuseIfInUse(dir: string, what: string): void {
    if (this.deps.trainingDir() === dir) throw new ContractError('busy', `a training is writing this model: cancel it before you ${what} it`);
    if (this.deps.workspace.model?.dir === dir) throw new ContractError('busy', `this model is open: open another model before you ${what} it`);
  }

  async open(id: string): Promise<CallOutput<'modelOpen'>> {
    const dir = await this.dirOf(id);
    if (this.deps.trainingDir() !== null) throw new ContractError('busy', 'cannot open another model while training: cancel the training first');
    const x = await this.inspect(dir);
    const info = await this.deps.engine.request('loadModel', { dir });
    this.deps.workspace.setModel(info, id === DEFAULT_MODEL_ID);
    const source = x.dataset;
    if (!source) return { id, dataset: 'unknown', folder: null };
    if (source.kind === 'mnist') {
      await this.deps.workspace.openDataset({ kind: 'mnist' });
      return { id, dataset: 'opened', folder: null };
    }
    const folder = {
      path: source.path ?? '',
      ...(source.size !== null ? { size: source.size } : {}),
      ...(source.color !== null ? { color: source.color } : {}),
      ...(source.fit !== null ? { fit: source.fit } : {}),
      ...(source.background !== null ? { background: source.background } : {}),
    };
    // Only a place the user chose is read: otherwise the page asks for the folder (it may have moved).
    if (!source.path || !(await this.deps.paths.isAllowed(source.path)) || !(await exists(source.path))) return { id, dataset: 'needs-folder', folder };
    await this.deps.workspace.openDataset({ kind: 'folder', ...folder });
    return { id, dataset: 'opened', folder };
  }

  /** Renames what the user reads (the id, its folder, stays): so the open model, or one training, can be renamed too. */
  async rename(id: string, name: string): Promise<CallOutput<'modelRename'>> {
    await this.dirOf(id);
    if (id === DEFAULT_MODEL_ID) throw new ContractError('forbidden', 'the default model is read-only: duplicate it to change it');
    await this.names.set(id, name);
    return { id };
  }

  async duplicate(id: string): Promise<CallOutput<'modelDuplicate'>> {
    const dir = await this.dirOf(id);
    if (this.deps.trainingDir() === dir) throw new ContractError('busy', 'a training is writing this model: wait for it or cancel it first');
    await this.inspect(dir); // a folder the parser refuses is not copied
    await mkdir(this.modelsDir, { recursive: true });
    const copy = await freeName(this.modelsDir, id === DEFAULT_MODEL_ID ? 'default' : id, ' copy');
    await copyModelFolder(dir, this.modelsDir, copy);
    const name = (await this.names.read()).models[id];
    if (name !== undefined) await this.names.set(copy, `${name} copy`);
    return { id: copy };
  }

  async delete(id: string): Promise<CallOutput<'modelDelete'>> {
    const dir = await this.dirOf(id);
    if (id === DEFAULT_MODEL_ID) throw new ContractError('forbidden', 'the default model is read-only and cannot be deleted');
    this.refuseIfInUse(dir, 'delete');
    await mkdir(this.trashDir, { recursive: true });
    const trashId = await freeName(this.trashDir, id, '');
    await rename(dir, join(this.trashDir, trashId));
    await this.names.trashed(id, trashId);
    return { trashId };
  }

  async restore(trashId: string): Promise<CallOutput<'modelRestore'>> {
    const from = join(this.trashDir, trashId);
    if (!MODEL_NAME_PATTERN.test(trashId) || !(await lstat(from).catch(() => null))?.isDirectory()) {
      throw new ContractError('unknown-model', `no deleted model "${trashId.slice(0, 100)}" in the trash`);
    }
    await mkdir(this.modelsDir, { recursive: true });
    const id = await freeName(this.modelsDir, trashId, '');
    await rename(from, join(this.modelsDir, id));
    await this.names.restored(trashId, id);
    return { id };
  }

  /** The model's strip of samples (see SampleStrips): by the listed id, cached per folder and manifest date. */
  async samples(id: string, count?: number): Promise<CallOutput<'modelSamples'>> {
    const dir = await this.dirOf(id);
    const { updatedAt } = await this.inspect(dir);
    return { id, images: await this.strips.strip(dir, updatedAt, count) };
  }
}
