/**
 * Importing and exporting model folders. An import reads a folder the user chose: the engine's strict
 * manifest parser must accept it before anything is copied (and the copy again before it is listed);
 * it is copied into a hidden sibling in models/ and renamed to a free name. An export copies a model
 * into a NEW folder named after it inside a folder the user chose, never into an existing one. The
 * source is only ever read (the default model is read-only).
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ContractError, DEFAULT_MODEL_ID, type CallOutput } from '../shared/contract';
import { isWithin, type AllowedPaths } from './allowed-paths';
import { copyModelFolder, freeName, modelNameFrom } from './library-files';
import type { ModelLibrary } from './library';

function entryKind(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  return 'a device';
}

export class ModelTransfer {
  constructor(
    private readonly library: ModelLibrary,
    private readonly paths: AllowedPaths,
    /** The folder a running training writes, or null. */
    private readonly trainingDir: () => string | null,
  ) {}

  /** Reads `dir`'s manifest with the engine's strict parser (and, with `verify`, its weight files); a refusal names what the user chose. */
  private async parse(dir: string, shown: string, verify = false): Promise<void> {
    try {
      await this.library.inspect(dir, verify);
    } catch (err) {
      throw new ContractError('bad-model', `the model in "${shown}" cannot be read: ${(err as Error).message.replace(dir, shown)}`);
    }
  }

  async import(path: string): Promise<CallOutput<'modelImport'>> {
    const source = await this.paths.check(path, 'the model folder');
    const info = await lstat(source).catch(() => null);
    if (!info?.isDirectory()) throw new ContractError('not-a-model', `"${path}" is not a folder: choose a model's folder (it holds manifest.json)`);
    const manifest = await lstat(join(source, 'manifest.json')).catch(() => null);
    if (!manifest) throw new ContractError('not-a-model', `"${path}" is not a model folder: it has no manifest.json`);
    if (!manifest.isFile()) {
      throw new ContractError('not-a-model', `"${path}" is not a model folder: its manifest.json is ${entryKind(manifest)}, not a regular file`);
    }
    const models = this.library.modelsDir;
    // A model folder holding the library itself would be copied into itself.
    if (isWithin(source, models)) throw new ContractError('forbidden', `"${path}" holds the library's own models folder: it cannot be imported`);
    // The weights are checked before the copy (a truncated, corrupt, NaN or linked weights.bin is refused
    // with the reason) and again on the copy.
    await this.parse(source, path, true);
    await mkdir(models, { recursive: true });
    const wanted = modelNameFrom(basename(source), 'imported model');
    const id = await freeName(models, wanted, '');
    await copyModelFolder(source, models, id, (copy) => this.parse(copy, path, true));
    return { id, renamed: id !== basename(source) };
  }

  async export(id: string, parent: string): Promise<CallOutput<'modelExport'>> {
    const dir = await this.library.dirOf(id);
    if (this.trainingDir() === dir) throw new ContractError('busy', 'a training is writing this model: wait for it or cancel it first');
    const into = await this.paths.check(parent, 'the export folder');
    if (!(await lstat(into).catch(() => null))?.isDirectory()) throw new ContractError('not-a-folder', `"${parent}" is not a folder`);
    if (isWithin(dir, into)) throw new ContractError('forbidden', 'a model cannot be exported into its own folder');
    await this.parse(dir, id === DEFAULT_MODEL_ID ? 'the default model' : id);
    const name = await freeName(into, id === DEFAULT_MODEL_ID ? 'default-model' : id, '');
    return { path: await copyModelFolder(dir, into, name, (copy) => this.parse(copy, join(parent, name))) };
  }
}
