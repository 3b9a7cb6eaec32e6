import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import TrainingPanel from './TrainingPanel.svelte';

function setup(open: { dataset?: boolean; model?: boolean } = {}) {
  const fake = fakeApi({
    trainStart: (s) => ({ runId: 'run-1', dir: '/data/runs/run-1', epochs: 'epochs' in s ? (s.epochs ?? 0) : 0, timeBudgetSeconds: null }),
    trainResume: (a) => ({ runId: 'run-2', dir: '/data/models/mlp-2', epochs: a.epochs ?? 0, timeBudgetSeconds: null }),
    trainCancel: () => ({ cancelled: true }),
  });
  const app = new AppState(fake.api, () => true);
  if (open.dataset) app.dataset = mnist();
  if (open.model) app.model = model();
  render(WithSlices, { props: { app, component: TrainingPanel } });
  return { app, fake };
}

const button = (name: string): HTMLButtonElement => screen.getByRole('button', { name }) as HTMLButtonElement;

describe('TrainingPanel', () => {
  it('cannot train without a dataset, nor cancel or resume without a run or a model', () => {
    setup();
    expect(button('Start training').disabled).toBe(true);
    expect(button('Cancel the training').disabled).toBe(true);
    expect(button("Resume the open model's training up to the Epochs value").disabled).toBe(true);
    expect(screen.getByTestId('model-info').textContent).toBe('no model yet');
  });

  it("trains MNIST with the panel's defaults (MLP, d = 2, 10 epochs on the first 2,000 images)", async () => {
    const { fake } = setup({ dataset: true });
    await tick();
    await fireEvent.click(button('Start training'));
    expect(fake.argsOf('trainStart')).toEqual([{ arch: 'mlp', latentDim: 2, epochs: 10, beta: 1, likelihood: 'bernoulli', learnedScale: false, limit: 2000 }]);
  });

  it('while training, the form locks and Cancel sends trainCancel', async () => {
    const { app, fake } = setup({ dataset: true });
    await fireEvent.click(button('Start training'));
    await tick();
    expect(app.training.state).toBe('running');
    expect(button('Start training').disabled).toBe(true);
    expect((screen.getByRole('spinbutton', { name: 'Train for this many epochs' }) as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(button('Cancel the training'));
    expect(fake.argsOf('trainCancel')).toEqual([{}]);
    expect(screen.getByTestId('training-state').textContent).toBe('cancelling');
  });

  it('resumes the open model up to the typed number of epochs', async () => {
    const { fake } = setup({ dataset: true, model: true });
    await tick();
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Train for this many epochs' }), { target: { value: '25' } });
    await fireEvent.click(button("Resume the open model's training up to the Epochs value"));
    expect(fake.argsOf('trainResume')).toEqual([{ epochs: 25 }]);
  });

  it('refuses a length that is not a whole number of epochs, with a notice, and starts nothing', async () => {
    const { app, fake } = setup({ dataset: true });
    await tick();
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Train for this many epochs' }), { target: { value: '0' } });
    await fireEvent.click(button('Start training'));
    expect(fake.argsOf('trainStart')).toEqual([]);
    expect(app.notices.map((n) => n.message)).toEqual(['Train for a whole number of epochs (1 or more)']);
  });

  it("shows the open model's architecture, latent size and epochs", async () => {
    setup({ dataset: true, model: true });
    await tick();
    expect(screen.getByTestId('model-info').textContent?.replace(/\s+/g, ' ').trim()).toBe('MLP, d = 2, bernoulli, epoch 3');
  });
});
