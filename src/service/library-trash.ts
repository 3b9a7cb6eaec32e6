/**
 * The library's trash: the deleted model folders in the data dir's trash/ (modelDelete moves them
 * there, modelRestore brings one back). Deleting for good is the only irreversible step of the
 * library, so it touches only what a listing gave: plain names, real folders directly inside trash/
 * (a link, a file or anything reached through a link is refused), and each is first renamed to a
 * hidden name inside trash/ so it disappears from the listing at once, then removed.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, MAX_TRASH_ENTRIES, MODEL_NAME_PATTERN, type CallOutput, type TrashedModel } from '../shared/contract';

export class LibraryTrash {
  /** The entries the last listing gave: the only ones trashEmpty may remove. */
  private readonly listed = new Set<string>();

  constructor(private readonly trashDir: string) {}

  /** trash/ itself, when it is a real folder (not a link to somewhere else). */
  private async folder(): Promise<string | null> {
    const info = await lstat(this.trashDir).catch(() => null);
    return info?.isDirectory() ? this.trashDir : null;
  }

  async list(): Promise<CallOutput<'trashList'>> {
    const dir = await this.folder();
    const models: TrashedModel[] = [];
    if (dir) {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        // Real folders with a model's name only: hidden temporaries ('.purge-…') and links are not listed.
        if (!e.isDirectory() || !MODEL_NAME_PATTERN.test(e.name)) continue;
        const info = await lstat(join(dir, e.name)).catch(() => null);
        if (!info?.isDirectory()) continue;
        // A rename into trash/ sets the folder's change time: when it was deleted.
        models.push({ trashId: e.name, name: e.name, deletedAt: info.ctime.toISOString() });
      }
    }
    models.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : a.deletedAt > b.deletedAt ? -1 : a.trashId.localeCompare(b.trashId)));
    const shown = models.slice(0, MAX_TRASH_ENTRIES);
    this.listed.clear();
    for (const m of shown) this.listed.add(m.trashId);
    return { models: shown };
  }

  /** Removes for good the named entries (all must come from the last listing); returns those removed. */
  async empty(trashIds: string[]): Promise<CallOutput<'trashEmpty'>> {
    const unknown = trashIds.find((id) => !this.listed.has(id) || !MODEL_NAME_PATTERN.test(id));
    if (unknown !== undefined) throw new ContractError('unknown-model', `"${unknown.slice(0, 100)}" is not in the trash as last listed: list it again`);
    const dir = await this.folder();
    if (!dir) throw new ContractError('unknown-model', 'there is no trash folder');
    const removed: string[] = [];
    for (const id of new Set(trashIds)) {
      const entry = join(dir, id);
      const info = await lstat(entry).catch(() => null);
      this.listed.delete(id);
      if (!info?.isDirectory()) continue; // restored or gone meanwhile; a link or a file put in its place is left alone
      const purge = join(dir, `.purge-${randomBytes(4).toString('hex')}`);
      await rename(entry, purge);
      // fs.rm does not follow links inside the folder: it removes the links themselves.
      await rm(purge, { recursive: true, force: true });
      removed.push(id);
    }
    return { removed };
  }
}
