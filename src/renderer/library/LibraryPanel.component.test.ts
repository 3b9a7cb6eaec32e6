import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { LibraryModel } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { libraryModel, trainingStatus } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import LibraryPanel from './LibraryPanel.svelte';

function setup(models: LibraryModel[]) {
  let listed = models;
  const fake = fakeApi({
    modelsList: () => ({ models: listed, unreadable: [] }),
    modelDelete: ({ id }) => {
      listed = listed.filter((m) => m.id !== id);
      return { trashId: `${id}-trashed` };
    },
    modelRestore: ({ trashId }) => {
      listed = models;
      return { id: trashId.replace(/-trashed$/, '') };
    },
    modelImport: () => ({ id: 'imported', renamed: true }),
    modelDuplicate: ({ id }) => ({ id: `${id}-copy` }),
    modelRename: ({ id, name }) => {
      listed = listed.map((m) => (m.id === id ? { ...m, name } : m));
      return { id };
    },
    trashList: () => ({ models: [] }),
  });
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: LibraryPanel } });
  return { app, fake };
}

const rows = (): HTMLElement[] => screen.queryAllByTestId('library-model');
const quality = {
  ...{ epoch: 3, sampleFd: 7.25, floorFd: 0.26, reconFd: 4.6, n: 1000, zSource: 'fitted density (2 components)' },
  ...{ featureSpace: 'rotation-prediction net, self-supervised (no labels)', featureLabels: false },
};

describe('LibraryPanel', () => {
  it('lists the models with their facts; the open one cannot be opened again nor deleted', async () => {
    setup([
      libraryModel({ id: 'digits', name: 'digits', open: true, sampleQuality: quality }),
      libraryModel({ id: 'faces', name: 'faces', psnrDb: null, testLoss: null, testBpd: null }),
    ]);
    await waitFor(() => expect(rows()).toHaveLength(2));
    const facts = within(rows()[0]).getByTestId('library-model-facts');
    expect(facts.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'MNIST · 28×28 grey · mlp · d=2 · 3 ep · 0.260 bits/dim · 18.2 dB · FD 7.25 (floor 0.26) · 2026-12-01 10:20',
    );
    expect(facts.title).toBe('held-out −ELBO 140.5 nats per image');
    expect(within(rows()[0]).getByTestId('library-model-fd').title).toContain('Feature space: rotation-prediction net, self-supervised');
    expect((screen.getByRole('button', { name: 'Open the model digits' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Delete digits' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Open the model faces' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('the open model is renamed by its id, and its disabled Delete says to open another model first', async () => {
    const { fake } = setup([libraryModel({ id: 'run-20261206-151636-7c6858', name: 'holiday-photos · conv d32 · 3 min', open: true })]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    const del = screen.getByRole('button', { name: 'Delete holiday-photos · conv d32 · 3 min' }) as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    expect(del.title).toBe('This model is open: open another model first, then delete it');
    const rename = screen.getByRole('button', { name: 'Rename holiday-photos · conv d32 · 3 min' }) as HTMLButtonElement;
    expect(rename.disabled).toBe(false);
    await fireEvent.click(rename);
    await fireEvent.input(screen.getByTestId('library-rename-input'), { target: { value: 'beach, 3 minutes' } });
    await fireEvent.click(screen.getByTestId('library-rename-save'));
    expect(fake.argsOf('modelRename')).toEqual([{ id: 'run-20261206-151636-7c6858', name: 'beach, 3 minutes' }]);
    await waitFor(() => expect(screen.getByTestId('library-model-name').textContent).toBe('beach, 3 minutes'));
  });

  it('leaves out the loss and PSNR a model does not have', async () => {
    setup([libraryModel({ id: 'faces', name: 'faces', psnrDb: null, testLoss: null, testBpd: null })]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.getByTestId('library-model-facts').textContent?.trim()).toBe('MNIST · 28×28 grey · mlp · d=2 · 3 ep · 2026-12-01 10:20');
  });

  it('a read-only model offers neither rename nor delete', async () => {
    setup([libraryModel({ id: 'default', name: 'default', readOnly: true })]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByRole('button', { name: 'Rename default' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete default' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Duplicate default' })).toBeTruthy();
  });

  it('delete sends the model id, shows Undo, and Undo restores from the trash id the service gave', async () => {
    const { fake } = setup([libraryModel({ id: 'faces', name: 'faces' })]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete faces' }));
    await waitFor(() => expect(screen.getByTestId('library-deleted').textContent).toContain('Deleted faces'));
    expect(fake.argsOf('modelDelete')).toEqual([{ id: 'faces' }]);
    await waitFor(() => expect(rows()).toHaveLength(0));
    await fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(fake.argsOf('modelRestore')).toEqual([{ trashId: 'faces-trashed' }]);
    expect(screen.queryByTestId('library-deleted')).toBeNull();
  });

  it('imports a typed folder and says under which name', async () => {
    const { fake } = setup([]);
    const importButton = screen.getByRole('button', { name: 'Import a model folder' }) as HTMLButtonElement;
    expect(importButton.disabled).toBe(true);
    await fireEvent.input(screen.getByRole('textbox', { name: 'Path of a model folder to import' }), { target: { value: '/home/me/models/vae' } });
    await fireEvent.click(importButton);
    await waitFor(() =>
      expect(screen.getByTestId('library-message').textContent).toBe(`Imported as "imported" (its folder's name was taken or not a model name)`),
    );
    expect(fake.argsOf('modelImport')).toEqual([{ path: '/home/me/models/vae' }]);
  });

  it('while a training runs, no model can be opened', async () => {
    const { app } = setup([libraryModel({ id: 'faces', name: 'faces' })]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    app.training.show(trainingStatus({ state: 'running', runId: 'run-1' }));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Open the model faces' }) as HTMLButtonElement).disabled).toBe(true));
  });
});
