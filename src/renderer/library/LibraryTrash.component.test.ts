import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TrashedModel } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import WithSlices from '../shell/testing/WithSlices.svelte';
import LibraryTrash from './LibraryTrash.svelte';

function setup(trashed: TrashedModel[]) {
  let trash = trashed;
  const fake = fakeApi({
    trashList: () => ({ models: trash }),
    modelRestore: ({ trashId }) => {
      trash = trash.filter((t) => t.trashId !== trashId);
      return { id: trashId };
    },
    trashEmpty: ({ trashIds }) => {
      trash = trash.filter((t) => !trashIds.includes(t.trashId));
      return { removed: trashIds };
    },
    modelsList: () => ({ models: [], unreadable: [] }),
  });
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: LibraryTrash } });
  return { fake };
}

const entry = (trashId: string, name: string): TrashedModel => ({ trashId, name, deletedAt: '2026-12-06T09:30:00.000Z' });
const listed = (): string[] => screen.queryAllByTestId('library-trashed').map((li) => li.querySelector('.name')?.textContent ?? '');

describe('LibraryTrash', () => {
  it('lists the deleted models when opened, and says when there are none', async () => {
    setup([]);
    const toggle = screen.getByRole('button', { name: /Deleted models/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(toggle);
    expect(await screen.findByText('The trash is empty.')).toBeTruthy();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it('restores one model by the trash id the listing gave', async () => {
    const { fake } = setup([entry('faces-1', 'faces'), entry('digits-1', 'digits')]);
    await fireEvent.click(screen.getByRole('button', { name: /Deleted models/ }));
    await waitFor(() => expect(listed()).toEqual(['faces', 'digits']));
    expect(screen.getAllByTestId('library-trashed')[0].textContent).toContain('deleted 2026-12-06 09:30');
    await fireEvent.click(screen.getByRole('button', { name: 'Restore faces' }));
    await waitFor(() => expect(listed()).toEqual(['digits']));
    expect(fake.argsOf('modelRestore')).toEqual([{ trashId: 'faces-1' }]);
  });

  it('empties the trash only after the user says yes, and only what was listed', async () => {
    const { fake } = setup([entry('faces-1', 'faces'), entry('digits-1', 'digits')]);
    // The page asks with the browser's own dialog (happy-dom has none): the user says no, then yes.
    const confirm = vi.fn<(message?: string) => boolean>(() => false);
    window.confirm = confirm;
    await fireEvent.click(screen.getByRole('button', { name: /Deleted models/ }));
    await waitFor(() => expect(listed()).toHaveLength(2));
    await fireEvent.click(screen.getByRole('button', { name: 'Empty trash' }));
    expect(confirm).toHaveBeenCalledWith('Delete 2 models for good? This cannot be undone.');
    expect(fake.argsOf('trashEmpty')).toEqual([]);
    confirm.mockReturnValue(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Empty trash' }));
    await waitFor(() => expect(screen.getByText('The trash is empty.')).toBeTruthy());
    expect(fake.argsOf('trashEmpty')).toEqual([{ trashIds: ['faces-1', 'digits-1'] }]);
  });
});
