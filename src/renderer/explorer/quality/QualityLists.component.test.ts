import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import SelectionPanel from '../SelectionPanel.svelte';

function setup() {
  const fake = fakeApi();
  const app = new AppState(fake.api, () => true);
  const n = 150;
  const view = Float32Array.from({ length: n * 3 }, (_, i) => i / 100);
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'identity', count: n, latentDim: 3, view, mu: view.slice(), ids: Int32Array.from({ length: n }, (_, i) => i) },
    ...{ labels: new Int32Array(n), labelNames: ['0'], version: 1, animateMs: 0, frame: false },
  };
  // Recon error peaks at point 42, then 7.
  const rmse = Float32Array.from({ length: n }, (_, i) => (i === 42 ? 90 : i === 7 ? 80 : i % 50));
  app.view.style.stats = { count: n, modelEpoch: 1, recon: rmse, kl: rmse, rmse };
  render(WithSlices, { props: { app, component: SelectionPanel } });
  return { app, view };
}

describe('Quality lists, from the selection panel', () => {
  it('worst reconstructions: the highest errors first, sortable, a click flies to the point and decodes it', async () => {
    const { app, view } = setup();
    await fireEvent.click(screen.getByTestId('quality-worst'));
    const rows = await screen.findAllByTestId('quality-row');
    expect(rows).toHaveLength(100);
    expect(rows.slice(0, 2).map((r) => r.getAttribute('data-index'))).toEqual(['42', '7']);
    await fireEvent.click(rows[1]);
    const request = app.camera.latest;
    expect(request?.kind === 'fly' ? request.to : null).toEqual([view[21], view[22], view[23]]);
    expect(app.view.selected).toBe(7);
    // Sorted by rank, descending: the 100th worst comes first.
    await fireEvent.click(screen.getByRole('button', { name: '#' }));
    expect(screen.getAllByTestId('quality-row')[0].querySelector('td')?.textContent).toBe('100');
    // A second click on the list's button closes it.
    await fireEvent.click(screen.getByTestId('quality-worst'));
    expect(screen.queryAllByTestId('quality-row')).toHaveLength(0);
  });
});
