/**
 * A model folder held in memory while a run replaces it (`latentscape train --force`): the run's first
 * checkpoint swaps the folder away, so a run that then diverges puts the held one back, and the user's
 * previous model is not lost to a diverged one. It goes back by the same swap a checkpoint takes
 * (node/files.ts's writeDirAtomic over node/dir-swap.ts): no instant has neither.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../../node/files';

/** A bigger folder is not held (a model of the sizes the app trains is a few megabytes). */
export const MAX_HELD_BYTES = 1024 ** 3;

export interface HeldModel {
  /** Puts the held files back as the folder, in place of what the run left there. */
  restore(): Promise<void>;
}

/** The folder's files, held; or why they cannot be (the run goes on; it is only not undone). */
export async function holdModelFolder(dir: string): Promise<HeldModel | { notHeld: string }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const odd = entries.find((e) => !e.isFile());
  if (odd) return { notHeld: `${odd.name} in it is not a plain file` };
  const sizes = await Promise.all(entries.map(async (e) => (await stat(join(dir, e.name))).size));
  if (sizes.reduce((a, b) => a + b, 0) > MAX_HELD_BYTES) return { notHeld: 'it is larger than 1 GiB' };
  const files = await Promise.all(entries.map(async (e) => [e.name, await readFile(join(dir, e.name))] as const));
  return {
    async restore() {
      // What is there now is the run's own checkpoint: all of it is replaced.
      await writeDirAtomic(
        dir,
        async (tmp) => {
          for (const [name, bytes] of files) await writeFile(join(tmp, name), bytes);
        },
        () => true,
      );
    },
  };
}
