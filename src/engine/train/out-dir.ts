/**
 * What a training output folder holds, so a run never destroys what the user had there: a model is
 * written by renaming a fresh directory over the target, which would delete anything else inside it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { readManifest } from './checkpoint';
import { recoverDir } from '../../node/dir-swap';
import { plural } from '../../shared/plural';

export type OutDirState =
  { kind: 'absent' } | { kind: 'empty' } | { kind: 'model'; epochsCompleted: number } | { kind: 'file' } | { kind: 'other'; entries: number };

export async function inspectOutDir(dir: string): Promise<OutDirState> {
  // A run killed mid-save left the model in a hidden stage beside it: put it back, delete the rest.
  await recoverDir(dir);
  const info = await lstat(dir).catch(() => null);
  if (!info) return { kind: 'absent' };
  if (!info.isDirectory()) return { kind: 'file' };
  const entries = await readdir(dir);
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes('manifest.json')) return { kind: 'other', entries: entries.length };
  try {
    const manifest = await readManifest(dir);
    return { kind: 'model', epochsCompleted: manifest.epochsCompleted };
  } catch {
    // A manifest we cannot read is not ours to overwrite: treat it as someone else's files.
    return { kind: 'other', entries: entries.length };
  }
}

/**
 * Why training into `dir` must not start, or null when it may: a file or a folder holding anything but
 * a model is always refused; a model only with `resume` (continue it) or `force` (replace it).
 */
export function outDirRefusal(dir: string, state: OutDirState, mode: { resume: boolean; force: boolean }): string | null {
  switch (state.kind) {
    case 'absent':
      return mode.resume ? `cannot resume: ${dir} does not exist` : null;
    case 'empty':
      return mode.resume ? `cannot resume: ${dir} is empty (no model to continue)` : null;
    case 'file':
      return `${dir} is a file, not a folder: give a new or empty folder (a model is a folder)`;
    case 'other':
      return `${dir} is not empty and holds no model (${state.entries} entr${state.entries === 1 ? 'y' : 'ies'}): give a new or empty folder; nothing there was touched`;
    case 'model':
      return mode.resume || mode.force
        ? null
        : `${dir} already holds a model (${plural(state.epochsCompleted, 'epoch')}): pass --resume to continue it or --force to replace it`;
  }
}
