/**
 * File helpers for every Node-side part (engine, service, CLI, host), so that a crash or a cancel
 * never leaves half a file: everything is written under a temp name beside its target, then renamed
 * over it (a rename within one folder is atomic). Imports only node: the renderer never loads this.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { recoverDir, swapDirInto, tempStage } from './dir-swap';

/** Whether `path` exists (any kind of file). */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** A fresh hidden name beside `target` for the temp copy (`.name.tmp-<pid>-<random>`; .gitignore'd). */
export function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** A write that failed for want of space (ENOSPC, or EDQUOT: the user's quota), said in words. */
export class DiskFullError extends Error {
  readonly code = 'disk-full';
}

/**
 * `err` as a DiskFullError when it is a full disk (or quota), saying what needed how much room where;
 * any other error as it is.
 */
export function asDiskFull(err: unknown, what: string, bytes: number, where: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  const mb = Math.max(0.1, Math.round(bytes / 1e5) / 10);
  return new DiskFullError(`the disk is full: ${what} needs ${mb} MB at ${where} (free some space and try again; nothing was replaced)`);
}

export interface AtomicWriteOptions {
  /** Called before the write and again just before the rename: throw to abandon it (a cancel). */
  check?: () => void;
  /** Create the folder when it is missing (default). Off for caches written beside a model: a model
   *  folder that has gone away must not be brought back by a cache write. */
  createFolder?: boolean;
}

/** Writes `data` to a temp file beside `file` (creating the folder unless told not to), then renames it over `file`. */
export async function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  options.check?.();
  if (options.createFolder !== false) await mkdir(dirname(file), { recursive: true });
  const temp = tempSibling(file);
  try {
    await writeFile(temp, data);
    options.check?.();
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw asDiskFull(err, basename(file), typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength, dirname(file));
  }
}

/**
 * Fills a fresh temp folder beside `dir` with `fill`, then puts it in `dir`'s place. An existing
 * `dir` is replaced only if `replaceable` accepts every name in it (so a user's unrelated files are
 * never deleted), and only after the new folder is complete; a crash during the swap is repaired by
 * `recoverDir` (dir-swap.ts).
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tempDir: string) => Promise<void>,
  replaceable: (name: string) => boolean,
  options: AtomicWriteOptions = {},
): Promise<void> {
  options.check?.();
  // A previous write of this folder killed mid-swap: its folder comes back (and is checked below like any).
  await recoverDir(dir);
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new Error(`${dir} exists and is not a folder`);
  if (existing) {
    const foreign = (await readdir(dir)).filter((name) => !replaceable(name));
    if (foreign.length) {
      throw new Error(
        `refusing to replace ${dir}: it holds files this export did not make (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''})`,
      );
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = tempStage(dir);
  await mkdir(temp.path);
  try {
    await fill(temp.path);
    options.check?.();
    // Two renames with recoverable names (dir-swap.ts): a crash between them loses neither folder.
    await swapDirInto(temp.path, dir);
  } catch (err) {
    await rm(temp.path, { recursive: true, force: true });
    throw err;
  } finally {
    temp.release();
  }
}
