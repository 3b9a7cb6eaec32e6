/** Issue 25, item 1: the view's "Train a model for this dataset" starts training with the panel's settings. */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import TrainingPanel from '../training/TrainingPanel.svelte';
import ViewEmptyState from './ViewEmptyState.svelte';

describe('ViewEmptyState', () => {
  it('"Train a model for this dataset" starts a run with what the training panel shows', async () => {
    const fake = fakeApi({
      trainStart: (s) => ({ runId: 'run-1', dir: '/data/models/run-1', epochs: s.epochs ?? 0, timeBudgetSeconds: null }),
    });
    const app = new AppState(fake.api, () => true);
    app.dataset = mnist();
    app.model = model({ height: 64, width: 64, channels: 3, fitsDataset: false });
    render(WithSlices, { props: { app, component: TrainingPanel } });
    render(WithSlices, { props: { app, component: ViewEmptyState } });
    await tick();
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Train for this many epochs' }), { target: { value: '3' } });
    await fireEvent.click(screen.getByTestId('mismatch-train'));
    await tick();
    expect(fake.argsOf('trainStart')).toEqual([{ arch: 'mlp', latentDim: 2, epochs: 3, beta: 1, likelihood: 'bernoulli', learnedScale: false, limit: 2000 }]);
  });
});
