/**
 * The model library as the page sees it: the listing (refreshed when a model opens or a training
 * ends), and open / rename / duplicate / delete with one undo of the last delete; the trash (restore,
 * empty); import and export of model folders. Models are named by the ids the listing gave; a path
 * is only ever one the user chose (a dialog or a typed path the service checks).
 */
import type { CallOutput, Images, LibraryModel, TrashedModel } from '../../shared/contract';
import type { Session } from '../shell/session';

type Opened = CallOutput<'modelOpen'>;

export class LibraryState {
  models = $state<LibraryModel[]>([]);
  unreadable = $state<{ id: string; reason: string }[]>([]);
  busy = $state<string | null>(null);
  /** The last deleted model, until undone or another is deleted. */
  deleted = $state<{ trashId: string; name: string } | null>(null);
  /** A folder model whose folder must be chosen (it is not among the allowed places, or it moved). */
  needsFolder = $state<{ id: string; folder: NonNullable<Opened['folder']> } | null>(null);
  /** The deleted models in the trash, as last listed. */
  trash = $state<TrashedModel[]>([]);
  /** What the last import or export did ("Imported as …", "Exported to …"). */
  message = $state<string | null>(null);

  constructor(
    private readonly app: Session,
    /** Opening another model closes an open project (kept as last saved): true when there is none or the user goes on. */
    private readonly leaveProject: (action: string) => boolean,
  ) {}

  listen(): () => void {
    const offs = [
      this.app.api.on('modelChanged', () => void this.refresh()),
      this.app.api.on('datasetChanged', () => void this.refresh()),
      this.app.api.on('trainEnded', () => void this.refresh()),
    ];
    void this.refresh();
    return () => offs.forEach((off) => off());
  }

  /** The models whose image size and channels are those of the open dataset. */
  get fitting(): LibraryModel[] {
    return this.models.filter((m) => m.fitsDataset && !m.open);
  }

  private async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try {
      return await action();
    } catch (err) {
      this.app.notify('error', (err as Error).message);
      return undefined;
    } finally {
      if (this.busy === label) this.busy = null;
    }
  }

  async refresh(): Promise<void> {
    try {
      const r = await this.app.api.call('modelsList', {});
      this.models = r.models;
      this.unreadable = r.unreadable;
    } catch {
      // the listing is refreshed again on the next model or dataset change
    }
  }

  /** A model's strip of samples (decoded from z ~ N(0, I) with a fixed seed by the service). */
  samples(id: string): Promise<Images> {
    return this.app.api.call('modelSamples', { id }).then((r) => r.images);
  }

  async open(id: string): Promise<void> {
    const name = this.models.find((m) => m.id === id)?.name ?? id;
    if (!this.leaveProject(`open the model ${name}`)) return;
    const r = await this.run('Opening the model…', () => this.app.api.call('modelOpen', { id }));
    if (!r) return;
    this.needsFolder = r.dataset === 'needs-folder' && r.folder ? { id, folder: r.folder } : null;
    await this.refresh();
  }

  /** Opens the folder model's dataset from where the user says it is now, with the model's preprocessing. */
  async openNeededFolder(path: string): Promise<void> {
    const need = this.needsFolder;
    if (!need) return;
    const { path: _was, ...preprocessing } = need.folder;
    const r = await this.run('Opening the folder…', () => this.app.api.call('openDataset', { source: { kind: 'folder', path, ...preprocessing } }));
    if (r) this.needsFolder = null;
  }

  async rename(id: string, name: string): Promise<void> {
    if (await this.run('Renaming…', () => this.app.api.call('modelRename', { id, name }))) await this.refresh();
  }

  async duplicate(id: string): Promise<void> {
    if (await this.run('Duplicating…', () => this.app.api.call('modelDuplicate', { id }))) await this.refresh();
  }

  async remove(model: LibraryModel): Promise<void> {
    const r = await this.run('Deleting…', () => this.app.api.call('modelDelete', { id: model.id }));
    if (!r) return;
    this.deleted = { trashId: r.trashId, name: model.name };
    await this.refresh();
  }

  async refreshTrash(): Promise<void> {
    const r = await this.run('Listing the trash…', () => this.app.api.call('trashList', {}));
    if (r) this.trash = r.models;
  }

  async restoreFromTrash(trashId: string): Promise<void> {
    if (!(await this.run('Restoring…', () => this.app.api.call('modelRestore', { trashId })))) return;
    if (this.deleted?.trashId === trashId) this.deleted = null;
    await Promise.all([this.refresh(), this.refreshTrash()]);
  }

  /** Deletes for good what the trash listing showed (the caller has asked the user). */
  async emptyTrash(): Promise<void> {
    const trashIds = this.trash.map((m) => m.trashId);
    if (trashIds.length === 0) return;
    const r = await this.run('Emptying the trash…', () => this.app.api.call('trashEmpty', { trashIds }));
    if (r && this.deleted && r.removed.includes(this.deleted.trashId)) this.deleted = null;
    await this.refreshTrash();
  }

  async importFolder(path: string): Promise<void> {
    const r = await this.run('Importing…', () => this.app.api.call('modelImport', { path }));
    if (!r) return;
    this.message = r.renamed ? `Imported as "${r.id}" (its folder's name was taken or not a model name)` : `Imported "${r.id}"`;
    await this.refresh();
  }

  async exportModel(id: string, parent: string): Promise<void> {
    const r = await this.run('Exporting…', () => this.app.api.call('modelExport', { id, parent }));
    if (r) this.message = `Exported to ${r.path}`;
  }

  async undoDelete(): Promise<void> {
    const d = this.deleted;
    if (!d) return;
    if (await this.run('Restoring…', () => this.app.api.call('modelRestore', { trashId: d.trashId }))) {
      this.deleted = null;
      await this.refresh();
    }
  }
}
