import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api';
import type { CallOutput } from '../../../shared/contract';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { mnist, status } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import SelectionExportPanel from './SelectionExportPanel.svelte';

const folder = mnist({ name: 'pets', source: { kind: 'folder', path: '/home/me/pets' }, count: 4, labelNames: ['cats', 'dogs'] });

function setup(options: { nativeDialogs?: boolean; refuse?: string } = {}) {
  const fake = fakeApi({
    choosePath: (a) => ({ path: a.purpose === 'selection-export' ? '/home/me/chosen' : `/home/me/${a.defaultName}`, supported: true }),
    selectionExport: (a): CallOutput<'selectionExport'> => {
      if (options.refuse) throw new ApiError('exists', options.refuse);
      return { kind: a.kind, path: a.path, files: a.ids.length, bytes: 100 };
    },
  });
  const app = new AppState(fake.api, () => true);
  app.status = status({ nativeDialogs: options.nativeDialogs ?? false });
  app.dataset = folder;
  const empty = new Float32Array(0);
  // The layout's points are dataset images 10…13 (a sample), so layout rows and dataset indices differ.
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'pca', count: 4, latentDim: 2, view: new Float32Array(12), mu: empty, ids: Int32Array.of(10, 11, 12, 13) },
    ...{ labels: new Int32Array(4), labelNames: [], version: 1, animateMs: 0, frame: false },
  };
  render(WithSlices, { props: { app, component: SelectionExportPanel } });
  return { app, fake };
}

const exportButton = (): HTMLButtonElement => screen.getByTestId('export-selection') as HTMLButtonElement;

describe('SelectionExportPanel', () => {
  it('needs a selection, then sends its dataset indices and the typed path (browser)', async () => {
    const { app, fake } = setup();
    expect(exportButton().disabled).toBe(true);
    app.selection.add([1, 3]);
    await waitFor(() => expect(exportButton().disabled).toBe(false));
    await fireEvent.input(screen.getByTestId('selection-export-path'), { target: { value: ' /home/me/new-folder ' } });
    await fireEvent.click(exportButton());
    await waitFor(() => expect(fake.argsOf('selectionExport').length).toBe(1));
    const sent = fake.argsOf('selectionExport')[0];
    expect([sent.kind, sent.path, Array.from(sent.ids)]).toEqual(['files', '/home/me/new-folder', [11, 13]]);
    await waitFor(() =>
      expect(screen.getByTestId('selection-export-done').textContent?.replace(/\s+/g, ' ').trim()).toBe('2 files copied into /home/me/new-folder'),
    );
  });

  it('with native dialogs, a list goes to the file the save dialog gave', async () => {
    const { app, fake } = setup({ nativeDialogs: true });
    app.selection.add([0]);
    await fireEvent.change(screen.getByTestId('selection-export-kind'), { target: { value: 'csv' } });
    await waitFor(() => expect(exportButton().disabled).toBe(false));
    await fireEvent.click(exportButton());
    await waitFor(() => expect(fake.argsOf('selectionExport').length).toBe(1));
    expect(fake.argsOf('choosePath')).toEqual([{ purpose: 'selection-list', defaultName: 'selected-images.csv' }]);
    expect(fake.argsOf('selectionExport')[0].path).toBe('/home/me/selected-images.csv');
  });

  it("the service's refusal of an existing folder is shown as it is", async () => {
    const message = '"/home/me/taken" already exists: choose the name of a new folder; nothing was written';
    const { app } = setup({ refuse: message });
    app.selection.add([0]);
    await fireEvent.input(screen.getByTestId('selection-export-path'), { target: { value: '/home/me/taken' } });
    await waitFor(() => expect(exportButton().disabled).toBe(false));
    await fireEvent.click(exportButton());
    await waitFor(() => expect(app.notices.map((n) => [n.level, n.message])).toEqual([['error', message]]));
    expect(screen.queryByTestId('selection-export-done')).toBeNull();
  });

  it('shows the copy’s progress, and Cancel stops it (the service says nothing was written)', async () => {
    let stop: (err: Error) => void = () => {};
    const fake = fakeApi({
      selectionExport: () => new Promise<never>((_, reject) => (stop = reject)),
      selectionExportCancel: () => {
        stop(new ApiError('cancelled', 'the selection export was cancelled: nothing was written'));
        return { cancelled: true };
      },
    });
    const app = new AppState(fake.api, () => true);
    app.status = status();
    app.dataset = folder;
    app.view.layout = {
      ...{ source: 'embeddings', kind: 'pca', count: 2, latentDim: 2, view: new Float32Array(6), mu: new Float32Array(0), ids: Int32Array.of(0, 1) },
      ...{ labels: new Int32Array(2), labelNames: [], version: 1, animateMs: 0, frame: false },
    };
    render(WithSlices, { props: { app, component: SelectionExportPanel } });
    app.selection.add([0, 1]);
    await fireEvent.input(screen.getByTestId('selection-export-path'), { target: { value: '/home/me/new' } });
    await waitFor(() => expect(exportButton().disabled).toBe(false));
    await fireEvent.click(exportButton());
    await waitFor(() => expect(screen.getByTestId('selection-export-cancel')).toBeTruthy());
    fake.emit('selectionExportProgress', { done: 1, total: 2 });
    await waitFor(() => expect((screen.getByTestId('selection-export-progress') as HTMLProgressElement).value).toBe(1));
    await fireEvent.click(screen.getByTestId('selection-export-cancel'));
    await waitFor(() => expect(app.notices.map((n) => [n.level, n.message])).toEqual([['info', 'the selection export was cancelled: nothing was written']]));
    expect(screen.queryByTestId('selection-export-progress')).toBeNull();
    expect(screen.queryByTestId('selection-export-done')).toBeNull();
  });

  it('greying out the rest is an option of the selection', async () => {
    const { app } = setup();
    expect(app.selection.dimOthers).toBe(false);
    await fireEvent.click(screen.getByTestId('selection-dim-others'));
    expect(app.selection.dimOthers).toBe(true);
  });
});
