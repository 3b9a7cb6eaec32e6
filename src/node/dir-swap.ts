/**
 * Putting a complete folder in place of another one so that no instant loses both, and finding the
 * pieces again after a crash.
 *
 * Node has no atomic exchange of two folders (Linux's renameat2 RENAME_EXCHANGE is not reachable
 * without a native addon), so the swap is two renames, and every name it uses says what the folder
 * is. For a target `X` in folder `P`:
 *
 *   1. `P/.X.tmp-<pid>-<hex>`  is filled (it may be partial: never recovered, only swept);
 *   2. it is renamed to `P/.X.new-<pid>-<hex>`: from now on it is a complete folder;
 *   3. `X` (if any) is renamed to `P/.X.old-<pid>-<hex>`: a complete folder too;
 *   4. `.X.new-…` is renamed to `X`;
 *   5. `.X.old-…` is deleted.
 *
 * A crash between 3 and 4 leaves no `X`. `recoverDir(X)` (run by every open of a model, by `train
 * --out`'s check, by the next write of `X`, by the library's listing and by the sweep at start) repairs that with one rename: the newest `.X.new-…`
 * whose writer is gone, else the newest such `.X.old-…`, becomes `X`. Being one rename, a crash during
 * the recovery leaves either the same state or a recovered one. Leftovers of a writer that is gone are
 * deleted only once `X` exists. A writer that is still running (its pid alive, and started before the
 * leftover was last changed) is never touched: it may be between steps 3 and 4 right now.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The steps of a swap and of a recovery, for the test-only fault hook. */
export type SwapStep = 'filled' | 'ready' | 'moved-old' | 'placed' | 'recovering' | 'recovered';

let faultHook: ((step: SwapStep, target: string) => void | Promise<void>) | null = null;

/**
 * Test only: called at each step (a crash test stops the process there and kills it). Never set in
 * production code; nothing reads it from the environment.
 */
export function setSwapFaultHook(hook: typeof faultHook): void {
  faultHook = hook;
}

async function reach(step: SwapStep, target: string): Promise<void> {
  if (faultHook) await faultHook(step, target);
}

type LeftoverKind = 'tmp' | 'new' | 'old';
/** `.X.<kind>-<pid>-<hex>`, and the names older versions wrote: `.X.tmp-<pid>-<n>` and `.X.tmp-<pid>-<n>.old`. */
const LEFTOVER = /^\.(.+)\.(tmp|new|old)-(\d+)-([0-9a-f]+)(\.old)?$/;

export interface Leftover {
  name: string;
  /** The folder or file it stands for (`X`). */
  base: string;
  kind: LeftoverKind;
  pid: number;
}

export function parseLeftover(name: string): Leftover | null {
  const m = LEFTOVER.exec(name);
  if (!m) return null;
  const kind: LeftoverKind = m[5] ? 'old' : (m[2] as LeftoverKind);
  return { name, base: m[1], kind, pid: Number(m[3]) };
}

/** A hidden name beside `target` for one stage of a write (see the top of this file). */
export function stageName(target: string, kind: LeftoverKind, tag = `${process.pid}-${randomBytes(4).toString('hex')}`): string {
  return join(dirname(target), `.${basename(target)}.${kind}-${tag}`);
}

/** The temp names this process is writing now: its own pid cannot tell them from a dead run's. */
const ownLive = new Set<string>();

function holdStage(path: string): () => void {
  ownLive.add(path);
  return () => ownLive.delete(path);
}

/**
 * A fresh `.X.tmp-…` name beside `target` to fill, held as live (a sweep in this process leaves it
 * alone) until `release` is called, after the write is renamed away or abandoned.
 */
export function tempStage(target: string): { path: string; release: () => void } {
  const path = stageName(target, 'tmp');
  return { path, release: holdStage(path) };
}

const BOOT_TIME_S = (() => {
  try {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(btime) ? btime : null;
  } catch {
    return null;
  }
})();

/** When process `pid` started (ms since the epoch), where /proc says (Linux; assumes 100 clock ticks a second). */
function processStart(pid: number): number | null {
  if (BOOT_TIME_S === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? (BOOT_TIME_S + ticks / 100) * 1000 : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `path` is gone (or its pid now belongs to a process that started after the last change to `path`). */
async function writerGone(path: string, pid: number): Promise<boolean> {
  if (pid === process.pid) return !ownLive.has(path);
  if (!alive(pid)) return true;
  const info = await lstat(path).catch(() => null);
  const started = processStart(pid);
  // 2 s of slack for clock-tick rounding: a pid reused that quickly is still seen as live (safe side).
  return Boolean(info && started !== null && started > info.ctimeMs + 2000);
}

async function staleLeftovers(target: string): Promise<{ path: string; kind: LeftoverKind; changed: number }[]> {
  const folder = dirname(target);
  const names = await readdir(folder).catch(() => [] as string[]);
  const found: { path: string; kind: LeftoverKind; changed: number }[] = [];
  for (const name of names) {
    const leftover = parseLeftover(name);
    if (!leftover || leftover.base !== basename(target)) continue;
    const path = join(folder, name);
    if (!(await writerGone(path, leftover.pid))) continue;
    const info = await lstat(path).catch(() => null);
    if (info) found.push({ path, kind: leftover.kind, changed: info.ctimeMs });
  }
  return found;
}

/**
 * Makes `target` whole again after a crashed swap, and (unless `sweep` is false: a folder the app
 * does not own) deletes the crashed writers' leftovers once it is. Returns the leftover that became
 * `target`, or null when nothing was needed. Safe to run at any time: a live writer's stages are left alone.
 */
export async function recoverDir(target: string, options: { sweep?: boolean } = {}): Promise<string | null> {
  let leftovers = await staleLeftovers(target);
  if (leftovers.length === 0) return null;
  let recovered: string | null = null;
  if (!(await lstat(target).catch(() => null))) {
    const newest = (kind: LeftoverKind) => leftovers.filter((l) => l.kind === kind).sort((a, b) => b.changed - a.changed || (a.path < b.path ? -1 : 1))[0];
    const pick = newest('new') ?? newest('old');
    // Only partial temps: no complete folder was ever in place; they are swept like any other leftover.
    if (pick) {
      await reach('recovering', target);
      try {
        await rename(pick.path, target);
        recovered = pick.path;
      } catch (err) {
        // Someone put a target there meanwhile: it wins, and the leftover is swept like the others.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      await reach('recovered', target);
      if (recovered) leftovers = leftovers.filter((l) => l !== pick);
    }
  }
  if (options.sweep !== false) for (const l of leftovers) await rm(l.path, { recursive: true, force: true });
  return recovered;
}

/**
 * Recovers and sweeps every target in `folder` that has leftovers of a writer that is gone (a folder
 * the app owns, e.g. the data dir's models/: only names this file makes are touched). Returns how many
 * targets were recovered.
 */
export async function sweepFolder(folder: string): Promise<number> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const bases = new Set(names.map(parseLeftover).flatMap((l) => (l ? [l.base] : [])));
  let recovered = 0;
  for (const base of bases) if (await recoverDir(join(folder, base))) recovered++;
  return recovered;
}

/**
 * Puts the complete folder `filled` (a `.X.tmp-…` stage beside `target`) in `target`'s place by the
 * steps at the top of this file; the previous `target`, if any, is deleted once the new one is there.
 */
export async function swapDirInto(filled: string, target: string): Promise<void> {
  await reach('filled', target);
  const fresh = stageName(target, 'new');
  const releaseFresh = holdStage(fresh);
  const old = stageName(target, 'old');
  const releaseOld = holdStage(old);
  let renamed = false;
  let movedOld = false;
  try {
    await rename(filled, fresh);
    renamed = true;
    await reach('ready', target);
    if (await lstat(target).catch(() => null)) {
      await rename(target, old);
      movedOld = true;
      await reach('moved-old', target);
    }
    await rename(fresh, target);
    renamed = false;
    await reach('placed', target);
    if (movedOld) await rm(old, { recursive: true, force: true });
  } catch (err) {
    // A failed swap (not a crash) puts the previous folder back and drops the new one.
    if (renamed) {
      if (movedOld) await rename(old, target).catch(() => undefined);
      await rm(fresh, { recursive: true, force: true });
    }
    throw err;
  } finally {
    releaseFresh();
    releaseOld();
  }
}
