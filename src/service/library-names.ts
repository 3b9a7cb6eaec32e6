/**
 * The models' display names ("holiday-photos · conv d32 · 3 min"), kept apart from their ids: an id
 * is a folder name the page uses to name a model, and stays put while the model is open; a name is
 * what the user reads and renames, at any time. They live in the data dir's model-names.json (written
 * atomically), keyed by id, and follow a model into the trash and back.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../node/files';
import { readRegularFile } from '../node/safe-read';
import type { TrainSettings } from '../shared/contract';

const NamesFileSchema = z.strictObject({
  models: z.record(z.string(), z.string()),
  trash: z.record(z.string(), z.string()),
});
type NamesFile = z.infer<typeof NamesFileSchema>;

/** A name for a new model: its dataset, architecture, latent size and how long it trains. */
export function newModelName(datasetName: string, s: Pick<TrainSettings, 'arch' | 'latentDim' | 'epochs' | 'timeBudgetSeconds'>): string {
  const length = s.timeBudgetSeconds
    ? s.timeBudgetSeconds % 60 === 0
      ? `${s.timeBudgetSeconds / 60} min`
      : `${s.timeBudgetSeconds} s`
    : `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`;
  return `${datasetName} · ${s.arch} d${s.latentDim} · ${length}`;
}

export class ModelNames {
  /** Updates one after the other: each reads the file the last one wrote. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return join(this.dataDir, 'model-names.json');
  }

  /** The names on disk; none when the file is missing or unreadable (the ids are then the names). */
  async read(): Promise<NamesFile> {
    return (await this.readChecked()).names;
  }

  private async readChecked(): Promise<{ names: NamesFile; damaged: boolean }> {
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(this.file, { maxBytes: 4 * 2 ** 20, what: 'model-names.json' });
    } catch {
      return { names: { models: {}, trash: {} }, damaged: false };
    }
    try {
      return { names: NamesFileSchema.parse(JSON.parse(bytes.toString('utf8'))), damaged: false };
    } catch {
      return { names: { models: {}, trash: {} }, damaged: true };
    }
  }

  private update(change: (names: NamesFile) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const { names, damaged } = await this.readChecked();
      // A file that does not parse is kept aside, not written over: its names can still be read by hand.
      if (damaged) await rename(this.file, `${this.file}.damaged-${Date.now()}`);
      change(names);
      await writeFileAtomic(this.file, JSON.stringify(names, null, 1));
    });
    this.queue = next.catch(() => {});
    return next;
  }

  set(id: string, name: string): Promise<void> {
    return this.update((n) => {
      n.models[id] = name;
    });
  }

  /** A model moved to the trash as `trashId`: its name goes with it. */
  trashed(id: string, trashId: string): Promise<void> {
    return this.update((n) => {
      if (n.models[id] !== undefined) n.trash[trashId] = n.models[id];
      delete n.models[id];
    });
  }

  restored(trashId: string, id: string): Promise<void> {
    return this.update((n) => {
      if (n.trash[trashId] !== undefined) n.models[id] = n.trash[trashId];
      delete n.trash[trashId];
    });
  }
}
