/**
 * Copying model folders for the library (duplicate, import, export): only folders and regular files
 * are copied, links are neither followed nor copied, the size is bounded before a byte is written,
 * and the copy is made in a hidden temporary sibling of its target, renamed into place when complete,
 * so a crash or a failure never leaves half a model under a listed name. The source is only read.
 */
import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseLeftover, tempStage } from '../node/dir-swap';
import { ContractError, MAX_MODEL_FOLDER_BYTES, MAX_MODEL_FOLDER_ENTRIES, MODEL_NAME_PATTERN } from '../shared/contract';

/** What a model folder holds: its sub-folders and regular files (relative paths), and their total size. */
export interface FolderScan {
  dirs: string[];
  files: string[];
  bytes: number;
  /** Links and other non-regular entries left out. */
  skipped: string[];
}

const MB = 1024 * 1024;

/** Lists a folder's tree without following links; refuses one larger than the library's bounds. */
export async function scanModelFolder(root: string): Promise<FolderScan> {
  const scan: FolderScan = { dirs: [], files: [], bytes: 0, skipped: [] };
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      // The hidden stage of a write in progress (`.points.bin.tmp-…`: the engine may be caching the model's
      // points right now) is never part of a model, and may be renamed away before it is read.
      if (parseLeftover(e.name)) continue;
      const path = rel ? join(rel, e.name) : e.name;
      if (scan.dirs.length + scan.files.length + scan.skipped.length >= MAX_MODEL_FOLDER_ENTRIES) {
        throw new ContractError('too-large', `the model folder holds more than ${MAX_MODEL_FOLDER_ENTRIES} files: it is not copied`);
      }
      if (e.isDirectory()) {
        scan.dirs.push(path);
        await walk(path);
      } else if (e.isFile()) {
        scan.files.push(path);
        scan.bytes += (await lstat(join(root, path))).size;
        if (scan.bytes > MAX_MODEL_FOLDER_BYTES) {
          throw new ContractError('too-large', `the model folder is larger than ${Math.round(MAX_MODEL_FOLDER_BYTES / MB)} MB: it is not copied`);
        }
      } else scan.skipped.push(path);
    }
  };
  await walk('');
  return scan;
}

/** Copies one regular file, refusing a link put in its place since the scan (O_NOFOLLOW where there is one). */
export async function copyRegularFile(from: string, to: string): Promise<void> {
  const handle = await open(from, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${from} is no longer a regular file`);
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(to, { flags: 'wx' }));
  } finally {
    await handle.close();
  }
}

/**
 * Copies `source` to `parent/name` through a hidden temp sibling (`.<name>.tmp-<pid>-<random>`), renamed
 * into place at the end. `check` runs on the complete temp copy before the rename (throw to abandon it).
 * Refuses when `parent/name` exists: nothing is overwritten or merged.
 */
export async function copyModelFolder(source: string, parent: string, name: string, check?: (copy: string) => Promise<void>): Promise<string> {
  const scan = await scanModelFolder(source);
  const target = join(parent, name);
  // A stage name the sweep at start knows (node/dir-swap.ts): a copy killed half way is deleted then.
  const stage = tempStage(target);
  const temp = stage.path;
  await mkdir(temp);
  try {
    for (const dir of scan.dirs) await mkdir(join(temp, dir));
    for (const file of scan.files) await copyRegularFile(join(source, file), join(temp, file));
    await check?.(temp);
    // A folder that appeared under the name meanwhile is not replaced (rename would replace an empty one).
    if (await lstat(target).catch(() => null)) throw new ContractError('exists', `"${target}" appeared while copying: nothing was replaced`);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  } finally {
    stage.release();
  }
  return target;
}

/** A name that is free in `parent`: "<base><suffix>", then "<base><suffix> 2", "… 3", … */
export async function freeName(parent: string, base: string, suffix: string): Promise<string> {
  const stem = base.slice(0, 80);
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}${suffix}` : `${stem}${suffix} ${n}`;
    if (!(await lstat(join(parent, name)).catch(() => null))) return name;
  }
}

/** A folder's name made into a valid model name ("my model (v2)" → "my model -v2-"); a fallback when nothing is left. */
export function modelNameFrom(folderName: string, fallback: string): string {
  const cleaned = folderName
    .replace(/[^A-Za-z0-9 ._-]/g, '-')
    .replace(/^[ .]+/, '')
    .slice(0, 80)
    .replace(/[ .]+$/, '');
  return MODEL_NAME_PATTERN.test(cleaned) ? cleaned : fallback;
}
