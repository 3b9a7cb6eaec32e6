/**
 * Recursive folder scan for ingest. Names are read as raw bytes, so files whose names are not valid
 * UTF-8 can still be opened; directory symlinks are followed with loop detection; anything that
 * cannot be listed or followed becomes a skip with a reason instead of an exception.
 */
import { readdir, stat } from 'node:fs/promises';
import { statSync, type BigIntStats, type Dirent } from 'node:fs';

export interface ScannedFile {
  /** Absolute path as raw bytes (works for any name). */
  abs: Buffer;
  /** Relative path for people: '/'-separated, invalid UTF-8 bytes shown as U+FFFD. */
  display: string;
  /** Relative path, lossless and byte-ordered: the raw bytes as a latin1 string. Cache and order key. */
  key: string;
  /** Name of the first-level subfolder, or null for files directly in the root. */
  labelName: string | null;
  size: number;
  /** Modification time in nanoseconds, as a decimal string (exact, unlike mtimeMs). */
  mtimeNs: string;
}

export interface ScanSkip {
  file: string;
  key: string;
  reason: string;
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: ScanSkip[];
}

const SLASH = Buffer.from('/');
/** Files gathered before their stats are taken (in slices, or through the pool on a slow disk: flush below). */
const STAT_BATCH = 256;
/** The longest the scan blocks the event loop on stats at a time (ms). */
const BLOCKING_SLICE_MS = 20;
/** Blocking stats this slow on average (ms) send the rest of the scan's stats through libuv's pool. */
const SLOW_STAT_MS = 0.25;
const utf8 = new TextDecoder('utf-8', { fatal: false });

function displayName(raw: Buffer): string {
  return utf8.decode(raw);
}

function ioReason(err: unknown, what: string): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `${what}: permission denied`;
    case 'ELOOP':
      return 'symlink loop (too many levels of symbolic links)';
    case 'ENOENT':
      return 'broken symlink or file vanished during the scan';
    case 'ENAMETOOLONG':
      return `${what}: path too long`;
    default:
      return `${what}: ${(err as Error)?.message ?? String(err)}`;
  }
}

function isHidden(name: Buffer): boolean {
  // Dot-files are metadata (.DS_Store, ._AppleDouble, .thumbnails/), never dataset images.
  return name.length > 0 && name[0] === 0x2e;
}

/** Checks for cancellation between directory reads. */
export type AbortCheck = () => void;

/**
 * Lists every candidate file under `root` (a directory path; resolved by the caller).
 * The result is sorted by `key` so dataset order is stable across runs and machines.
 */
export async function scanFolder(root: string, checkAbort: AbortCheck = () => {}): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  const skipped: ScanSkip[] = [];
  const rootStat = await stat(root, { bigint: true });
  const rootAbs = Buffer.from(root);

  // Directories on the path from the root to the current one (dev:ino), to detect loops, and every
  // directory already listed, so a second link to the same directory is not scanned twice.
  const listed = new Set<string>();
  const idOf = (s: BigIntStats): string => `${s.dev}:${s.ino}`;

  const skip = (rel: Buffer, reason: string, isDir = false): void => {
    const display = displayName(rel) + (isDir ? '/' : '');
    skipped.push({ file: display, key: rel.toString('latin1') + (isDir ? '/' : ''), reason });
  };

  // Files' stats are taken as blocking calls, in slices of at most BLOCKING_SLICE_MS with a turn of the
  // event loop between: on a local disk a stat is a few microseconds, and libuv's thread-pool round trip
  // for each costs 2–3× the call (1,000 files: 5–17 ms blocking against 11–41 ms through the pool, on the
  // 2-core machine). Where stats are slow (a network share) blocking would lose the pool's overlap: once a
  // slice averages SLOW_STAT_MS or more, the rest go through the pool, a batch at a time.
  const pending: { abs: Buffer; rel: Buffer; label: string | null }[] = [];
  let slowDisk = false;
  const settle = (file: (typeof pending)[number], s: BigIntStats | Error): void => {
    if (s instanceof Error) skip(file.rel, ioReason(s, 'cannot read file'));
    else addFile(file.abs, file.rel, file.label, s);
  };
  const blockingStat = (abs: Buffer): BigIntStats | Error => {
    try {
      return statSync(abs, { bigint: true });
    } catch (err) {
      return err as Error;
    }
  };
  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      if (slowDisk) {
        const stats = await Promise.all(pending.map((file) => stat(file.abs, { bigint: true }).catch((err: Error) => err)));
        pending.forEach((file, i) => settle(file, stats[i]));
        pending.length = 0;
      } else {
        const started = performance.now();
        let done = 0;
        while (done < pending.length && performance.now() - started < BLOCKING_SLICE_MS) {
          const file = pending[done++];
          settle(file, blockingStat(file.abs));
        }
        slowDisk = (performance.now() - started) / done >= SLOW_STAT_MS;
        pending.splice(0, done);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      checkAbort();
    }
  };

  const addFile = (abs: Buffer, rel: Buffer, labelName: string | null, s: BigIntStats): void => {
    files.push({
      abs,
      display: displayName(rel),
      key: rel.toString('latin1'),
      labelName,
      size: Number(s.size),
      mtimeNs: s.mtimeNs.toString(),
    });
  };

  const walk = async (dirAbs: Buffer, dirRel: Buffer | null, ancestors: Set<string>, labelName: string | null): Promise<void> => {
    checkAbort();
    let entries: Dirent<Buffer>[];
    try {
      entries = (await readdir(dirAbs, { withFileTypes: true, encoding: 'buffer' })) as unknown as Dirent<Buffer>[];
    } catch (err) {
      if (dirRel === null) throw err;
      skip(dirRel, ioReason(err, 'cannot read folder'), true);
      return;
    }
    const subdirs: { abs: Buffer; rel: Buffer; id: string; label: string | null }[] = [];
    for (const entry of entries) {
      const name = entry.name as unknown as Buffer;
      if (isHidden(name)) continue;
      const abs = Buffer.concat([dirAbs, SLASH, name]);
      const rel = dirRel === null ? name : Buffer.concat([dirRel, SLASH, name]);
      const childLabel = dirRel === null ? null : labelName;
      if (entry.isFile()) {
        pending.push({ abs, rel, label: childLabel });
      } else if (entry.isDirectory() || entry.isSymbolicLink()) {
        // Follow symlinks: stat() resolves them (ELOOP for a link that points at itself).
        let s: BigIntStats;
        try {
          s = await stat(abs, { bigint: true });
        } catch (err) {
          skip(rel, ioReason(err, 'cannot follow'), false);
          continue;
        }
        if (s.isDirectory()) {
          const id = idOf(s);
          const dirLabel = dirRel === null ? displayName(name) : labelName;
          if (ancestors.has(id)) {
            skip(rel, 'symlink loop: links back to a folder that contains it', true);
          } else if (listed.has(id)) {
            skip(rel, 'folder already scanned through another path (duplicate symlink)', true);
          } else {
            listed.add(id);
            subdirs.push({ abs, rel, id, label: dirLabel });
          }
        } else if (s.isFile()) {
          addFile(abs, rel, childLabel, s);
        } else {
          skip(rel, 'not a regular file');
        }
      } else {
        skip(rel, 'not a regular file (device, socket or pipe)');
      }
      if (pending.length >= STAT_BATCH) await flush();
    }
    for (const sub of subdirs) {
      const next = new Set(ancestors);
      next.add(sub.id);
      await walk(sub.abs, sub.rel, next, sub.label);
    }
  };

  const rootId = idOf(rootStat);
  listed.add(rootId);
  await walk(rootAbs, null, new Set([rootId]), null);
  await flush();
  const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  files.sort(byKey);
  skipped.sort(byKey);
  return { files, skipped };
}
