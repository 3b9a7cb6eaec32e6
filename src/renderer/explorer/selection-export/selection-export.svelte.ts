/**
 * The selection out of the app (issue 27): copies of the selected images' files in a new folder the
 * user chooses (subfolders kept as labels), or their list as CSV or JSON. With native dialogs the path
 * comes from a save dialog; in the browser it is typed. The service refuses an existing folder or file
 * and writes nothing then; its message is shown as it is.
 */
import type { CallOutput, SelectionExportKind } from '../../../shared/contract';
import { ApiError } from '../../lib/api';
import type { Session } from '../../shell/session';
import type { LatentViewState } from '../latent-view.svelte';
import type { SelectionState } from '../selection.svelte';
import { selectedDatasetIds } from './selected-ids';

export class SelectionExportState {
  kind = $state<SelectionExportKind>('files');
  /** The path typed in the browser (no native dialog there). */
  typedPath = $state('');
  busy = $state(false);
  /** Files copied so far by the export running now (null: none running, or no report yet). */
  progress = $state<{ done: number; total: number } | null>(null);
  last = $state.raw<CallOutput<'selectionExport'> | null>(null);

  constructor(
    private readonly app: Pick<Session, 'api' | 'status' | 'notify' | 'choosePath'>,
    private readonly view: LatentViewState,
    private readonly selection: SelectionState,
  ) {}

  /** The path to write: a save dialog's, or the typed one; null when there is none (the user is told why). */
  private async target(): Promise<string | null> {
    if (this.app.status?.nativeDialogs) {
      return this.kind === 'files'
        ? this.app.choosePath('selection-export', 'selected-images')
        : this.app.choosePath('selection-list', `selected-images.${this.kind}`);
    }
    const typed = this.typedPath.trim();
    if (!typed)
      this.app.notify('warning', this.kind === 'files' ? 'type the path of a new folder for the copies' : `type the path of the .${this.kind} file to write`);
    return typed || null;
  }

  async export(): Promise<CallOutput<'selectionExport'> | null> {
    const ids = selectedDatasetIds(this.selection, this.view.layout);
    if (ids.length === 0) {
      this.app.notify('warning', 'select images first: Shift + drag in the view to lasso them');
      return null;
    }
    const path = await this.target();
    if (!path) return null;
    this.busy = true;
    this.progress = null;
    const stopListening = this.app.api.on('selectionExportProgress', (p) => (this.progress = p));
    try {
      const done = await this.app.api.call('selectionExport', { kind: this.kind, path, ids });
      this.last = done;
      const what = done.kind === 'files' ? `copied ${done.files} image files into` : `listed ${done.files} images in`;
      this.app.notify('info', `${what} ${done.path}`);
      return done;
    } catch (err) {
      this.app.notify(err instanceof ApiError && err.code === 'cancelled' ? 'info' : 'error', (err as Error).message);
      return null;
    } finally {
      stopListening();
      this.busy = false;
      this.progress = null;
    }
  }

  async cancel(): Promise<void> {
    try {
      await this.app.api.call('selectionExportCancel', {});
    } catch (err) {
      this.app.notify('error', (err as Error).message);
    }
  }
}
