import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CameraState } from '../scene/types';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import BookmarksPanel from './BookmarksPanel.svelte';

function setup(points = true) {
  const app = new AppState(fakeApi().api, () => true);
  let camera: CameraState = { position: [0, 0, 5], target: [0, 0, 0] };
  if (points) {
    withPoints(app);
    // The 3D view lends its camera; the test moves it by hand.
    app.camera.attach(() => camera);
  }
  render(WithSlices, { props: { app, component: BookmarksPanel } });
  return { app, moveCamera: (to: CameraState) => (camera = to) };
}

const bookmarkNames = (): string[] => screen.queryAllByTestId('bookmark').map((b) => b.textContent?.trim() ?? '');

async function addBookmark(name: string): Promise<void> {
  await fireEvent.input(screen.getByPlaceholderText('name this view'), { target: { value: name } });
  await fireEvent.click(screen.getByRole('button', { name: 'Add' }));
}

afterEach(() => vi.useRealTimers());

describe('BookmarksPanel', () => {
  it('cannot keep a view before there are points', () => {
    setup(false);
    expect((screen.getByRole('button', { name: 'Add' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Name a view to come back to it/)).toBeTruthy();
  });

  it('keeps named views (an unnamed one is numbered) and says what each holds', async () => {
    const { app } = setup();
    app.search.query = 'one';
    app.selection.add([2, 3]);
    await addBookmark('the ones');
    await addBookmark('');
    expect(bookmarkNames()).toEqual(['the ones', 'View 2']);
    expect(screen.getAllByTestId('bookmark')[0].title).toBe('IDENTITY · colour by label · search “one” · 2 selected');
  });

  it('a click brings the view back: search, selection, then the camera glides there', async () => {
    vi.useFakeTimers();
    const { app, moveCamera } = setup();
    app.search.query = 'two';
    app.selection.add([4, 5]);
    await addBookmark('twos');
    app.search.query = '';
    app.selection.clear();
    moveCamera({ position: [9, 9, 9], target: [1, 1, 1] });
    await fireEvent.click(screen.getByRole('button', { name: 'twos' }));
    await vi.runAllTimersAsync();
    expect(app.search.query).toBe('two');
    expect(app.selection.indices()).toEqual([4, 5]);
    expect(app.camera.latest).toMatchObject({ kind: 'glide', to: { position: [0, 0, 5], target: [0, 0, 0] } });
  });

  it('removes a bookmark', async () => {
    setup();
    await addBookmark('first');
    await addBookmark('second');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove the bookmark first' }));
    await waitFor(() => expect(bookmarkNames()).toEqual(['second']));
  });
});
