import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { EpochMetrics, EventData, Generation, ModelSummary } from '../../shared/contract';
import type { SampleQuality } from '../../shared/metrics-schemas';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model, status, trainingStatus } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import TrainingPanel from './TrainingPanel.svelte';

/** The panel over an AppState listening to a fake service that announces its training status as the real one does. */
async function setup(open: { dataset?: boolean; model?: boolean | Partial<ModelSummary> } = {}) {
  const shownModel = open.model ? model(open.model === true ? {} : open.model) : null;
  const running = (epochs: number, runId: string) => trainingStatus({ state: 'running', runId, epochs, dir: `/data/models/${runId}` });
  const fake = fakeApi({
    status: () => status({ dataset: open.dataset ? mnist() : null, model: shownModel }),
    trainStart: (s) => {
      const epochs = 'epochs' in s ? (s.epochs ?? 0) : 0;
      fake.emit('trainingStatus', running(epochs, 'run-1'));
      return { runId: 'run-1', dir: '/data/models/run-1', epochs, timeBudgetSeconds: null };
    },
    trainResume: (a) => ({ runId: 'run-2', dir: '/data/models/mlp-2', epochs: a.epochs ?? 0, timeBudgetSeconds: null }),
    trainCancel: () => {
      fake.emit('trainingStatus', { ...running(10, 'run-1'), state: 'cancelling' });
      return { cancelled: true };
    },
  });
  const app = new AppState(fake.api, () => true);
  await app.init();
  render(WithSlices, { props: { app, component: TrainingPanel } });
  return { app, fake };
}

const progress = (overrides: Partial<EventData<'trainProgress'>> = {}): EventData<'trainProgress'> => ({
  ...{ runId: 'run-1', generation: 0 as Generation, elapsedSeconds: 2, epoch: 1, epochs: 10, step: 5, stepsPerEpoch: 20 },
  ...{ loss: 150, samplesPerSec: 900, etaSeconds: 30 },
  ...overrides,
});

const button = (name: string): HTMLButtonElement => screen.getByRole('button', { name }) as HTMLButtonElement;

describe('TrainingPanel', () => {
  it('cannot train without a dataset, nor cancel or resume without a run or a model', async () => {
    await setup();
    expect(button('Start training').disabled).toBe(true);
    expect(button('Cancel the training').disabled).toBe(true);
    expect(button("Resume the open model's training up to the Epochs value").disabled).toBe(true);
    expect(screen.getByTestId('model-info').textContent).toBe('no model yet');
  });

  it("trains MNIST with the panel's defaults (MLP, d = 2, 10 epochs on the first 2,000 images)", async () => {
    const { fake } = await setup({ dataset: true });
    await tick();
    await fireEvent.click(button('Start training'));
    expect(fake.argsOf('trainStart')).toEqual([{ arch: 'mlp', latentDim: 2, epochs: 10, beta: 1, likelihood: 'bernoulli', learnedScale: false, limit: 2000 }]);
  });

  it("while training (as the service says), the form locks and Cancel sends trainCancel; the state shown is the service's", async () => {
    const { app, fake } = await setup({ dataset: true });
    await fireEvent.click(button('Start training'));
    await tick();
    expect(app.training.state).toBe('running');
    expect(button('Start training').disabled).toBe(true);
    expect((screen.getByRole('spinbutton', { name: 'Train for this many epochs' }) as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(button('Cancel the training'));
    expect(fake.argsOf('trainCancel')).toEqual([{}]);
    expect(screen.getByTestId('training-state').textContent).toBe('cancelling');
  });

  it("sends the advanced settings the user changed: the KL's for any model, the decoder's only for conv", async () => {
    const { fake } = await setup({ dataset: true });
    await tick();
    const upsampling = screen.getByRole('combobox', { name: 'Decoder upsampling' }) as HTMLSelectElement;
    expect(upsampling.disabled).toBe(true);
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'KL warm-up, a fraction of the run' }), { target: { value: '0.25' } });
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Free bits, nats per latent dimension' }), { target: { value: '0.5' } });
    await fireEvent.click(button('Start training'));
    expect(fake.argsOf('trainStart').at(-1)).toMatchObject({ arch: 'mlp', klWarmup: 0.25, freeBits: 0.5 });
    expect(fake.argsOf('trainStart').at(-1)).not.toHaveProperty('decoderUpsample');
  });

  it("a folder's conv model takes the residual blocks from the advanced settings", async () => {
    const fake = fakeApi({ trainStart: () => ({ runId: 'run-1', dir: '/data/models/run-1', epochs: 10, timeBudgetSeconds: 180 }) });
    const app = new AppState(fake.api, () => true);
    app.dataset = mnist({ source: { kind: 'folder', path: '/images' }, height: 32, width: 32, channels: 3 });
    render(WithSlices, { props: { app, component: TrainingPanel } });
    await tick();
    expect((screen.getByRole('combobox', { name: 'Decoder upsampling' }) as HTMLSelectElement).disabled).toBe(false);
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Residual blocks per resolution level' }), { target: { value: '1' } });
    await fireEvent.click(button('Start training'));
    const sent = fake.argsOf('trainStart').at(-1);
    expect(sent).toMatchObject({ arch: 'conv', residualBlocks: 1 });
    expect(sent).not.toHaveProperty('decoderUpsample');
    expect(sent).not.toHaveProperty('klWarmup');
  });

  it('a run whose loss exploded says so with what to try, keeps the open model shown and lets a new run start', async () => {
    const { app, fake } = await setup({ dataset: true, model: true });
    await fireEvent.click(button('Start training'));
    await tick();
    const message = 'The loss exploded at epoch 3 (862 → 46,387). Try a lower learning rate.';
    const diverged = trainingStatus({ state: 'diverged', runId: 'run-1', epochs: 10, epoch: 2, lastCheckpointEpoch: 2, error: message });
    fake.emit('trainingStatus', diverged);
    fake.emit('trainEnded', { runId: 'run-1', generation: diverged.generation, status: 'diverged', epochsCompleted: 2, error: message, budgetReached: false });
    await tick();
    expect(screen.getByTestId('training-state').textContent).toBe('diverged');
    expect(screen.getByRole('alert').textContent).toBe(`${message} The model open before this run stays open.`);
    expect(screen.queryByTestId('training-error')).toBeNull();
    expect(screen.getByTestId('model-info').textContent?.replace(/\s+/g, ' ').trim()).toBe('MLP, d = 2, bernoulli, epoch 3');
    expect(app.notices.at(-1)).toMatchObject({ level: 'warning', message: `Training stopped: ${message} The model open before stays open.` });
    expect(button('Start training').disabled).toBe(false);
  });

  it('while the service is still starting the run, Cancel waits for it (the engine has no run to cancel yet)', async () => {
    const { fake } = await setup({ dataset: true });
    fake.emit('trainingStatus', trainingStatus({ state: 'starting', runId: 'run-1', epochs: 10 }));
    await tick();
    expect(screen.getByTestId('training-state').textContent).toBe('starting');
    expect(button('Start training').disabled).toBe(true);
    expect(button('Cancel the training').disabled).toBe(true);
    fake.emit('trainingStatus', trainingStatus({ state: 'running', runId: 'run-1', epochs: 10 }));
    await tick();
    expect(button('Cancel the training').disabled).toBe(false);
  });

  it('after the last epoch, says where the measure of the sample distance is', async () => {
    const { app } = await setup({ dataset: true });
    await fireEvent.click(button('Start training'));
    await tick();
    expect(screen.queryByTestId('training-quality')).toBeNull();
    app.training.quality = { stage: 'samples', done: 250, total: 1000 };
    await tick();
    expect(screen.getByTestId('training-quality').textContent).toBe('measuring the sample distance: samples 250/1000');
    app.training.quality = { stage: 'feature-net', done: 3, total: 470 };
    await tick();
    expect(screen.getByTestId('training-quality').textContent).toContain("training the dataset's feature net (once per dataset) 3/470");
  });

  it('resumes the open model up to the typed number of epochs', async () => {
    const { fake } = await setup({ dataset: true, model: true });
    await tick();
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Train for this many epochs' }), { target: { value: '25' } });
    await fireEvent.click(button("Resume the open model's training up to the Epochs value"));
    expect(fake.argsOf('trainResume')).toEqual([{ epochs: 25 }]);
  });

  it('trains a new model on the selected images only: their dataset indices, no limit', async () => {
    const { app, fake } = await setup({ dataset: true });
    await tick();
    const selectionButton = screen.getByTestId('train-on-selection') as HTMLButtonElement;
    expect(selectionButton.disabled).toBe(true);
    const empty = new Float32Array(0);
    app.view.layout = {
      ...{ source: 'embeddings', kind: 'pca', count: 3, latentDim: 2, view: new Float32Array(9), mu: empty, ids: Int32Array.of(7, 8, 9) },
      ...{ labels: new Int32Array(3), labelNames: [], version: 1, animateMs: 0, frame: false },
    };
    app.selection.add([0, 2]);
    await tick();
    expect(selectionButton.disabled).toBe(false);
    await fireEvent.click(selectionButton);
    const sent = fake.argsOf('trainStart');
    expect(sent.length).toBe(1);
    const { subset, ...rest } = sent[0];
    expect(Array.from(subset ?? [])).toEqual([7, 9]);
    expect(rest).toEqual({ arch: 'mlp', latentDim: 2, epochs: 10, beta: 1, likelihood: 'bernoulli', learnedScale: false });
  });

  it('refuses a length that is not a whole number of epochs, with a notice, and starts nothing', async () => {
    const { app, fake } = await setup({ dataset: true });
    await tick();
    await fireEvent.input(screen.getByRole('spinbutton', { name: 'Train for this many epochs' }), { target: { value: '0' } });
    await fireEvent.click(button('Start training'));
    expect(fake.argsOf('trainStart')).toEqual([]);
    expect(app.notices.map((n) => n.message)).toEqual(['Train for a whole number of epochs (1 or more)']);
  });

  it("shows the open model's architecture, latent size and epochs", async () => {
    await setup({ dataset: true, model: true });
    await tick();
    expect(screen.getByTestId('model-info').textContent?.replace(/\s+/g, ' ').trim()).toBe('MLP, d = 2, bernoulli, epoch 3');
  });

  describe('shows only the run it is about (issue 25, item 4)', () => {
    const mnistEpoch: EpochMetrics = {
      epoch: 10,
      trainLoss: 141.4,
      testLoss: 141.5,
      recon: 130,
      kl: 11,
      testRecon: 131,
      testKl: 11,
      samplesPerSec: 1000,
      seconds: 2,
    };

    it("while a run starts, the open model's last epoch is not shown as if it were the run's", async () => {
      const { fake } = await setup({ dataset: true, model: { metrics: [mnistEpoch] } });
      expect(screen.getByTestId('epoch-losses').textContent).toContain('epoch 10');
      fake.emit('trainingStatus', trainingStatus({ state: 'running', runId: 'run-1', epochs: 10 }));
      await tick();
      expect(screen.queryByTestId('epoch-losses')).toBeNull();
    });

    it("a finished run's budget line goes once the service forgets the run (another model opened)", async () => {
      const { fake } = await setup({ dataset: true, model: true });
      const done = trainingStatus({ state: 'done', runId: 'run-1', epochs: 500, timeBudgetSeconds: 180, budgetReached: true, lastCheckpointEpoch: 25 });
      fake.emit('trainingStatus', done);
      await tick();
      expect(screen.getByTestId('training-budget-reached').textContent).toContain('Stopped at the time budget (3:00) after 25 epochs');
      fake.emit('trainingStatus', { ...done, state: 'idle', budgetReached: false });
      await tick();
      expect(screen.queryByTestId('training-budget-reached')).toBeNull();
      expect(screen.getByTestId('training-state').textContent).toBe('idle');
    });

    it('a progress record of another generation than the page holds is dropped', async () => {
      const { fake } = await setup({ dataset: true });
      fake.emit('trainingStatus', trainingStatus({ state: 'running', runId: 'run-1', epochs: 10 }));
      fake.emit('trainProgress', progress({ generation: 1 as Generation, loss: 999 }));
      await tick();
      expect(screen.getByTestId('train-loss').title).toBe('– nats per image');
      fake.emit('trainProgress', progress({ loss: 150 }));
      await tick();
      expect(screen.getByTestId('train-loss').title).toBe('150.0 nats per image');
    });
  });

  describe('readable numbers', () => {
    const epoch = (overrides: Partial<EpochMetrics> = {}): EpochMetrics => ({
      ...{ epoch: 3, trainLoss: 100, testLoss: 110, recon: 90, kl: 10, testRecon: 99, testKl: 11, samplesPerSec: 1000, seconds: 2 },
      ...overrides,
    });
    const quality: SampleQuality = {
      ...{ epoch: 3, sampleFd: 12.34, floorFd: 1.5, reconFd: 4.25, n: 2000, zSource: 'density' },
      ...{ featureSpace: 'a small classifier of MNIST (penultimate layer, 64 features)', featureLabels: true },
    };

    function setupModel(overrides: Partial<ModelSummary>) {
      const fake = fakeApi();
      const app = new AppState(fake.api, () => true);
      app.dataset = mnist();
      app.model = model(overrides);
      render(WithSlices, { props: { app, component: TrainingPanel } });
      return app;
    }

    it('the headline is test bits/dim and PSNR, with the nats in its tooltip', () => {
      setupModel({ metrics: [epoch({ testBpd: 0.1234, psnrDb: 21.04 })] });
      const headline = screen.getByTestId('epoch-losses');
      expect(headline.textContent?.replace(/\s+/g, ' ').trim()).toBe('epoch 3: test 0.123 bits/dim · PSNR 21.0 dB');
      expect(headline.title).toContain('test 110.0 nats');
      expect(screen.queryByTestId('sample-fd')).toBeNull();
    });

    it("an older model's metrics without bits/dim are converted from nats with the image size and likelihood", () => {
      // Bernoulli on 28 × 28: bits/dim = nats / (784 · ln 2).
      setupModel({ metrics: [epoch({ testLoss: 784 * Math.LN2 * 0.25 })] });
      expect(screen.getByTestId('epoch-bpd').textContent).toBe('0.250');
    });

    it('the loss chart plots bits/dim and its axis says so', () => {
      setupModel({ metrics: [epoch({ trainBpd: 0.2, testBpd: 0.3 })] });
      const chart = screen.getByTestId('loss-chart');
      expect(chart.querySelector('svg')?.textContent).toContain('bits/dim');
      // The left axis's ticks span the bits/dim (0.2 … 0.3 with a 6 % margin), not the nats (100 … 110).
      const ticks = Array.from(chart.querySelectorAll('text.tick')).map((t) => t.textContent);
      expect(ticks).toContain('0.31');
      expect(ticks).not.toContain('111');
    });

    it('shows the sample distance beside PSNR, its feature space in the tooltip, and marks features learned without labels', () => {
      setupModel({ metrics: [epoch({ testBpd: 0.1, psnrDb: 20 })], sampleQuality: { ...quality, featureLabels: false } });
      const fd = screen.getByTestId('sample-fd');
      expect(fd.textContent).toBe('FD 12.34 (floor 1.50)');
      expect(fd.title).toContain('Feature space: a small classifier of MNIST');
      expect(screen.getByTestId('sample-fd-no-labels').textContent?.trim()).toBe('(no labels)');
    });

    it("after a run, shows the distance measured as it ended once its model is open, never another model's beside its curves", async () => {
      const app = setupModel({ metrics: [epoch({ testBpd: 0.1, psnrDb: 20 })], sampleQuality: quality });
      app.training.runId = 'run-1';
      app.training.history = [epoch({ epoch: 1, testBpd: 0.2, psnrDb: 18 })];
      app.training.state = 'done';
      await tick();
      // The model open is not the run's (a cancelled run left the one before open).
      expect(screen.queryByTestId('sample-fd')).toBeNull();
      app.model = model({ dir: '/data/models/run-1', metrics: [epoch({ epoch: 1 })], sampleQuality: { ...quality, epoch: 1 } });
      await tick();
      expect(screen.getByTestId('sample-fd').textContent).toBe('FD 12.34 (floor 1.50)');
    });
  });
});
