import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Images, PointStats } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { embeddings, withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import SelectionPanel from './SelectionPanel.svelte';

const image: Images = { count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(0) };
// Reconstruction error per point: image 4 is the worst, image 0 the best.
const recon = Float32Array.of(1, 5, 2, 4, 9, 3);

function setup() {
  const fake = fakeApi({
    pointStats: (): PointStats => ({ count: 6, modelEpoch: 3, recon, kl: Float32Array.of(6, 5, 4, 3, 2, 1), rmse: new Float32Array(6) }),
    reconstruct: ({ index }) => ({ index, label: 0, mu: Float32Array.of(0, 0), original: image, reconstruction: image }),
  });
  const app = new AppState(fake.api, () => true);
  withPoints(app);
  render(WithSlices, { props: { app, component: SelectionPanel } });
  return { app, fake };
}

const count = (): string => screen.getByTestId('selection-count').textContent ?? '';
/** The image numbers in the table, top to bottom. */
const tableImages = (): string[] =>
  within(screen.getByTestId('selection-table'))
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelector('td')?.textContent ?? '');

describe('SelectionPanel', () => {
  it('with nothing selected, says how to select and offers no actions', () => {
    setup();
    expect(count()).toBe('0');
    expect(screen.getByText(/Shift \+ drag in the view to lasso points/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Clear' })).toBeNull();
  });

  it('shows the count, the labels it holds and a table of the selected images', async () => {
    const { app } = setup();
    app.selection.add([0, 1, 2]);
    await waitFor(() => expect(count()).toBe('3'));
    const labels = within(screen.getByTestId('selection-labels')).getAllByRole('listitem');
    expect(labels.map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['zero 2', 'one 1']);
    expect(tableImages()).toEqual(['0', '1', '2']);
  });

  it('Invert takes the other points, Clear empties it, Isolate shows only the selection', async () => {
    const { app } = setup();
    app.selection.add([0, 1, 2]);
    await fireEvent.click(await screen.findByRole('button', { name: 'Isolate' }));
    expect(app.selection.isolated).toBe(true);
    expect(screen.getByRole('button', { name: 'Show all' }).getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Invert' }));
    await waitFor(() => expect(tableImages()).toEqual(['3', '4', '5']));
    expect(app.selection.isolated).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(count()).toBe('0'));
  });

  it('sorts the table by a column; recon sorts worst first', async () => {
    const { app } = setup();
    app.selection.add([0, 1, 2, 3, 4, 5]);
    await waitFor(() => expect(tableImages()).toEqual(['0', '1', '2', '3', '4', '5']));
    await fireEvent.click(screen.getByTestId('sort-recon'));
    await waitFor(() => expect(tableImages()).toEqual(['4', '1', '3', '5', '2', '0']));
    expect(screen.getByTestId('sort-recon').closest('th')?.getAttribute('aria-sort')).toBe('descending');
    await fireEvent.click(screen.getByTestId('sort-recon'));
    await waitFor(() => expect(tableImages()).toEqual(['0', '2', '5', '3', '1', '4']));
  });

  it('a click on a row flies the camera to the point and decodes it', async () => {
    const { app, fake } = setup();
    app.selection.add([3, 5]);
    const rows = await waitFor(() => within(screen.getByTestId('selection-table')).getAllByRole('row').slice(1));
    await fireEvent.click(rows[1]);
    expect(app.camera.latest).toMatchObject({ kind: 'fly', to: [6, 4, 0] });
    await waitFor(() => expect(fake.argsOf('reconstruct')).toEqual([{ index: 5 }]));
    expect(app.view.selected).toBe(5);
  });

  it('As keyframes makes keyframes of the selected points', async () => {
    const { app } = setup();
    app.selection.add([1, 4]);
    await fireEvent.click(await screen.findByRole('button', { name: 'As keyframes' }));
    await waitFor(() =>
      expect(app.animation.keyframes.map((k) => Array.from(k.z))).toEqual([
        [2, 0],
        [4, 4],
      ]),
    );
  });

  it('keeps the selection when the same points arrive again (the refresh after training), drops it for other points', async () => {
    const { app } = setup();
    app.selection.add([0, 1, 2]);
    await waitFor(() => expect(count()).toBe('3'));
    // New embeddings of the same images: a new ids array, equal in content.
    withPoints(app, embeddings({ modelEpoch: 4, ids: Int32Array.of(0, 1, 2, 3, 4, 5) }));
    await tick();
    expect(count()).toBe('3');
    expect(tableImages()).toEqual(['0', '1', '2']);
    // Other points (e.g. a sample of them): the mask no longer means anything.
    withPoints(app, embeddings({ modelEpoch: 5, ids: Int32Array.of(5, 4, 3, 2, 1, 0) }));
    await waitFor(() => expect(count()).toBe('0'));
  });
});
