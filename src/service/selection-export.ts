/**
 * The selected images out of the app (issue 27): copies of their original files in a NEW folder the
 * user chose, the subfolders (the labels) kept, or the list of their files as CSV or JSON. An existing
 * folder or file is refused before anything is written. The copies are made as library-files.ts copies
 * a model: regular files only, links neither followed nor copied, the total size bounded before a byte
 * is written, in a hidden temp sibling renamed into place once complete. The dataset is only read.
 * One export at a time; it reports its progress and a cancel deletes the temp folder (nothing written).
 */
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomic } from '../node/files';
import { tempStage } from '../node/dir-swap';
import { ContractError, MAX_SELECTION_EXPORT_BYTES, type CallInput, type CallOutput } from '../shared/contract';
import { canonicalPath, isWithin, type AllowedPaths } from './allowed-paths';
import type { EngineSupervisor } from './engine-supervisor';
import type { ServiceEvents } from './events';
import { copyRegularFile } from './library-files';
import type { Workspace } from './workspace';

const GB = 1024 ** 3;
/** How often progress is reported while files are copied. */
const PROGRESS_EVERY_MS = 100;

/** Where a copy reports each file done, and learns that it was cancelled. */
interface CopyRun {
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

/** One selected image: its file relative to the dataset's folder, and its label (the subfolder; '' at the top). */
export interface SelectedFile {
  index: number;
  file: string;
  label: string;
}

/** The list file's text: CSV (index,file,label, fields quoted where needed) or JSON. */
export function selectionListText(kind: 'csv' | 'json', root: string, rows: readonly SelectedFile[]): string {
  if (kind === 'json') return JSON.stringify({ folder: root, images: rows }, null, 2) + '\n';
  const field = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['index,file,label', ...rows.map((r) => `${r.index},${field(r.file)},${field(r.label)}`)].join('\n') + '\n';
}

export class SelectionExport {
  private running: AbortController | null = null;

  constructor(
    private readonly paths: AllowedPaths,
    private readonly engine: EngineSupervisor,
    private readonly workspace: Workspace,
    private readonly events: Pick<ServiceEvents, 'emit'>,
  ) {}

  cancel(): CallOutput<'selectionExportCancel'> {
    if (!this.running) return { cancelled: false };
    this.running.abort();
    return { cancelled: true };
  }

  async export(args: CallInput<'selectionExport'>): Promise<CallOutput<'selectionExport'>> {
    if (this.running) throw new ContractError('busy', 'a selection export is running: wait for it or cancel it');
    const controller = new AbortController();
    this.running = controller;
    try {
      return await this.exportNow(args, controller.signal);
    } finally {
      this.running = null;
    }
  }

  private async exportNow(args: CallInput<'selectionExport'>, signal: AbortSignal): Promise<CallOutput<'selectionExport'>> {
    const source = this.workspace.datasetSource;
    if (!source) throw new ContractError('no-dataset', 'no dataset is open: there is nothing to export');
    if (source.kind !== 'folder') throw new ContractError('no-files', 'MNIST has no image files to export: selections can be exported from an image folder');
    const target = await this.paths.check(args.path, args.kind === 'files' ? 'the export folder' : 'the list file');
    if (await lstat(target).catch(() => null)) {
      const what = args.kind === 'files' ? 'choose the name of a new folder' : 'choose a new file name';
      throw new ContractError('exists', `"${args.path}" already exists: ${what}; nothing was written`);
    }
    if (!(await lstat(dirname(target)).catch(() => null))?.isDirectory()) {
      throw new ContractError('not-a-folder', `"${dirname(args.path)}" is not a folder: nothing was written`);
    }
    const root = await canonicalPath(source.path);
    const rows = await this.selectedFiles(args.ids);
    if (args.kind !== 'files') {
      const text = selectionListText(args.kind, root, rows);
      await writeFileAtomic(target, text, { createFolder: false });
      return { kind: args.kind, path: target, files: rows.length, bytes: Buffer.byteLength(text) };
    }
    if (isWithin(root, target)) throw new ContractError('forbidden', 'the copies cannot go inside the image folder itself (they would join the dataset)');
    let reported = 0;
    const progress = (done: number, total: number): void => {
      const now = performance.now();
      if (done !== total && done !== 1 && now - reported < PROGRESS_EVERY_MS) return;
      reported = now;
      this.events.emit('selectionExportProgress', { done, total });
    };
    const bytes = await copySelection(root, rows, target, { signal, progress });
    return { kind: 'files', path: target, files: rows.length, bytes };
  }

  /** The selected images' files (each index once, in the order given), checked against the dataset. */
  private async selectedFiles(ids: Int32Array): Promise<SelectedFile[]> {
    const { files } = await this.engine.request('datasetFiles', {});
    if (!files) throw new ContractError('no-files', 'the open dataset has no image files to export');
    const seen = new Set<number>();
    const rows: SelectedFile[] = [];
    for (const index of ids) {
      if (index < 0 || index >= files.length) throw new ContractError('bad-arguments', `image ${index} is not in the dataset (it has ${files.length} images)`);
      if (seen.has(index)) continue;
      seen.add(index);
      const file = files[index];
      // Files come from the ingest's own scan; a path that leaves the folder would be a bug, refused anyway.
      if (isAbsolute(file) || normalize(file).split(/[\\/]/).includes('..')) throw new ContractError('forbidden', `"${file}" is not inside the image folder`);
      const parts = file.split(/[\\/]/);
      rows.push({ index, file, label: parts.length > 1 ? parts[0] : '' });
    }
    return rows;
  }
}

/** Copies each row's file from `root` into the new folder `target` (via a hidden temp sibling); the bytes copied. */
async function copySelection(root: string, rows: readonly SelectedFile[], target: string, run: CopyRun): Promise<number> {
  let total = 0;
  for (const row of rows) {
    const info = await lstat(join(root, row.file)).catch(() => null);
    if (!info?.isFile()) throw new ContractError('not-a-file', `"${row.file}" is no longer a regular file in the image folder: nothing was written`);
    total += info.size;
    if (total > MAX_SELECTION_EXPORT_BYTES) {
      throw new ContractError('too-large', `the selected files are larger than ${MAX_SELECTION_EXPORT_BYTES / GB} GB together: nothing was written`);
    }
  }
  const stage = tempStage(target);
  try {
    await mkdir(stage.path);
    const made = new Set<string>();
    for (const [done, row] of rows.entries()) {
      if (run.signal.aborted) throw new ContractError('cancelled', 'the selection export was cancelled: nothing was written');
      const dir = dirname(row.file);
      if (dir !== '.' && !made.has(dir)) {
        await mkdir(join(stage.path, dir), { recursive: true });
        made.add(dir);
      }
      await copyRegularFile(join(root, row.file), join(stage.path, row.file.split(/[\\/]/).join(sep)));
      run.progress(done + 1, rows.length);
    }
    if (run.signal.aborted) throw new ContractError('cancelled', 'the selection export was cancelled: nothing was written');
    // A folder that appeared under the name meanwhile is not replaced (rename would replace an empty one).
    if (await lstat(target).catch(() => null)) throw new ContractError('exists', `"${target}" appeared while copying: nothing was replaced`);
    await rename(stage.path, target);
  } catch (err) {
    await rm(stage.path, { recursive: true, force: true });
    throw err;
  } finally {
    stage.release();
  }
  return total;
}
