import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import WithSlices from '../shell/testing/WithSlices.svelte';
import Legend from './Legend.svelte';

function setup(coloring: 'recon' | 'kl') {
  const app = new AppState(fakeApi().api, () => true);
  const n = 50;
  const empty = new Float32Array(n * 3);
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'identity', count: n, latentDim: 3, view: empty, mu: empty, ids: new Int32Array(n), labels: new Int32Array(n) },
    ...{ labelNames: [], version: 1, animateMs: 0, frame: false },
  };
  app.view.style.coloring = coloring;
  app.view.style.stats = {
    count: n,
    modelEpoch: 1,
    // −log p in nats, negative with a learned scale: the legend must not show it.
    recon: Float32Array.from({ length: n }, (_, i) => -900 + i),
    kl: Float32Array.from({ length: n }, (_, i) => 5 + i),
    rmse: Float32Array.from({ length: n }, (_, i) => 10 + i),
  };
  render(WithSlices, { props: { app, component: Legend } });
}

describe('Legend: colour by a measure', () => {
  it('reconstruction error: RMS error in levels of 255, from 0, never negative', () => {
    setup('recon');
    expect(screen.getByTestId('legend-scale').textContent).toContain('RMS error, levels of 255');
    const ticks = Array.from(screen.getByTestId('legend-ticks').children).map((t) => t.textContent);
    expect(ticks).toEqual(['0.0', '≥ 59.0']);
  });

  it('KL: its spread in nats', () => {
    setup('kl');
    expect(screen.getByTestId('legend-scale').textContent).toContain('(nats)');
    expect(Array.from(screen.getByTestId('legend-ticks').children).map((t) => t.textContent)).toEqual(['≤ 6.0', '≥ 54.0']);
  });
});

function withLabels(perLabel: number[]): AppState {
  const app = new AppState(fakeApi().api, () => true);
  const n = perLabel.reduce((a, b) => a + b, 0);
  const labels = Int32Array.from(perLabel.flatMap((count, label) => Array<number>(count).fill(label)));
  const empty = new Float32Array(n * 3);
  app.view.layout = {
    ...{ source: 'embeddings', kind: 'identity', count: n, latentDim: 3, view: empty, mu: empty, ids: new Int32Array(n), labels },
    ...{ labelNames: ['photos', 'drawings', 'scans'].slice(0, perLabel.length), version: 1, animateMs: 0, frame: false },
  };
  render(WithSlices, { props: { app, component: Legend } });
  return app;
}

describe('Legend: one dominant label', () => {
  it('says when one label holds most images and offers to colour one label only', async () => {
    const app = withLabels([30, 12, 8]);
    expect(screen.getByTestId('legend-dominant').textContent).toContain('photos holds 60 % of the images');
    app.view.style.coloring = 'recon';
    await fireEvent.change(screen.getByTestId('legend-only-label'), { target: { value: '1' } });
    expect(app.view.style.onlyLabel).toBe(1);
    expect(app.view.style.coloring).toBe('label');
    await fireEvent.change(screen.getByTestId('legend-only-label'), { target: { value: '' } });
    expect(app.view.style.onlyLabel).toBeNull();
  });

  it('offers colour by cluster instead, which asks for the clusters', async () => {
    const app = withLabels([30, 12, 8]);
    let asked = 0;
    app.view.clusters.ensure = () => void asked++; // the clusters' worker does not run in happy-dom
    await fireEvent.click(screen.getByTestId('legend-color-clusters'));
    expect(app.view.style.coloring).toBe('cluster');
    expect(asked).toBe(1);
    expect(screen.queryByTestId('legend-dominant')).toBeNull(); // the cluster legend takes its place
  });

  it('says nothing when no label holds more than half', () => {
    withLabels([20, 15, 15]);
    expect(screen.queryByTestId('legend-dominant')).toBeNull();
  });
});
