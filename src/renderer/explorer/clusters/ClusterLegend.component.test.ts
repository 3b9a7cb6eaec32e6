import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import Legend from '../Legend.svelte';
import { labelClusters } from './cluster-labels';

function setup() {
  const app = new AppState(fakeApi().api, () => true);
  const n = 6;
  const view = Float32Array.from({ length: n * 3 }, (_, i) => i / 10);
  const mu = view.slice();
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'identity', count: n, latentDim: 3, view, mu, ids: Int32Array.from([0, 1, 2, 3, 4, 5]) },
    ...{ labels: Int32Array.from([7, 7, 7, 1, 1, 7]), labelNames: ['0', '1', '2', '3', '4', '5', '6', '7'], version: 1, animateMs: 0, frame: false },
  };
  const assignments = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const labels = labelClusters(assignments, 2, Int32Array.from([1, 4]), (i) => app.view.layout!.labelNames[app.view.layout!.labels[i]]);
  app.view.clusters.result = { mu, k: 2, assignments, labels, scores: [{ k: 2, silhouette: 0.61 }] };
  app.view.style.coloring = 'cluster';
  render(WithSlices, { props: { app, component: Legend } });
  return { app, view };
}

describe('Legend: colour by cluster', () => {
  it('a row per cluster, carrying its label, with its share; a click flies to its densest image', async () => {
    const { app, view } = setup();
    const rows = screen.getAllByTestId('cluster-row');
    expect(rows.map((r) => r.getAttribute('data-cluster-label'))).toEqual(['7', '1']);
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['7 · 100 % 3', '1 · 67 % 3']);
    expect(screen.getByTestId('cluster-legend').textContent).toContain('silhouette 0.61');
    await fireEvent.click(rows[1]);
    const request = app.camera.latest;
    expect(request?.kind).toBe('fly');
    expect(request?.kind === 'fly' ? request.to : null).toEqual([view[12], view[13], view[14]]);
    expect(app.view.selected).toBe(4);
  });

  it('clusters of other points are not shown: it offers to find them', async () => {
    const { app } = setup();
    app.view.clusters.result = { ...app.view.clusters.result!, mu: new Float32Array(18) };
    await tick();
    expect(screen.queryAllByTestId('cluster-row')).toHaveLength(0);
    expect(screen.getByTestId('cluster-find')).toBeTruthy();
  });
});
