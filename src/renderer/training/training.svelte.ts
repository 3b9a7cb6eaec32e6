/**
 * The training slice's state: the run as the service reports it (progress, epochs, the loss curve,
 * its time budget) and the actions that start, cancel and resume one. Events arrive through the root
 * (shell/app.svelte.ts), which owns the API's event stream.
 */
import type { EpochMetrics, TrainSettings } from '../../shared/contract';
import type { LikelihoodKind, SampleQualityStage } from '../../shared/vocabulary';
import type { Jobs } from '../shell/session';

export class TrainingState {
  state = $state<'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed'>('idle');
  runId = $state<string | null>(null);
  epochs = $state(0);
  epoch = $state(0);
  step = $state(0);
  stepsPerEpoch = $state(0);
  loss = $state<number | null>(null);
  samplesPerSec = $state<number | null>(null);
  etaSeconds = $state<number | null>(null);
  lastCheckpointEpoch = $state(0);
  error = $state<string | null>(null);
  /** The run's time budget (null: it trains for `epochs`, which are then not a cap). */
  timeBudgetSeconds = $state<number | null>(null);
  /** Seconds since the run started (set from each progress event, ticking on between them). */
  elapsedSeconds = $state(0);
  /** The run ended because its time budget was reached. */
  budgetReached = $state(false);
  /** performance.now() when the run started (by the service's elapsed time once a progress event came). */
  startedAt: number | null = null;
  history = $state<EpochMetrics[]>([]);
  /** The decoder likelihood of the run (its losses are converted to bits/dim with it); null: not known. */
  likelihood = $state<LikelihoodKind | null>(null);
  /** After the last epoch: where the measure of the model's sample distance is (null: not measuring). */
  quality = $state<{ stage: SampleQualityStage; done: number; total: number } | null>(null);
  /** Per progress event: x = epochs done (fractional), the batch loss and its two terms. */
  steps = $state.raw<{ x: number; loss: number; recon: number | null; kl: number | null }[]>([]);

  /** 0…1 over the whole run: on a budget, whichever of time and the epochs cap is further along. */
  progress = $derived.by(() => {
    if (this.state === 'done') return 1;
    const byTime = this.timeBudgetSeconds ? Math.min(1, this.elapsedSeconds / this.timeBudgetSeconds) : 0;
    if (!this.epochs || !this.stepsPerEpoch) return Math.max(byTime, this.epochs ? this.lastCheckpointEpoch / this.epochs : 0);
    return Math.max(byTime, Math.min(1, ((this.epoch - 1) * this.stepsPerEpoch + this.step) / (this.epochs * this.stepsPerEpoch)));
  });

  /** A run starts (or is first seen running): its budget, and its clock from now. */
  began(timeBudgetSeconds: number | null): void {
    this.timeBudgetSeconds = timeBudgetSeconds;
    this.budgetReached = false;
    this.startedAt = performance.now();
    this.elapsedSeconds = 0;
  }

  tick(): void {
    if (this.startedAt !== null) this.elapsedSeconds = (performance.now() - this.startedAt) / 1000;
  }

  get active(): boolean {
    return this.state === 'running' || this.state === 'cancelling';
  }

  constructor(private readonly jobs: Jobs) {}

  /** Opening a dataset: the last run's outcome is not shown over the ingest (issue 11, point 7). */
  forgetFinishedRun(): void {
    if (this.active) return;
    this.state = 'idle';
    this.error = null;
    this.budgetReached = false;
  }

  async start(settings: TrainSettings): Promise<void> {
    const { jobs } = this;
    if (!jobs.leaveProject('train a new model')) return;
    jobs.newJob();
    const started = await jobs.run('Starting training…', () => jobs.api.call('trainStart', settings));
    if (!started) return;
    jobs.newJob();
    this.began(started.timeBudgetSeconds);
    this.state = 'running';
    this.likelihood = settings.likelihood ?? null;
    this.runId = started.runId;
    this.epochs = started.epochs;
    this.epoch = 1;
    this.step = 0;
    this.stepsPerEpoch = 0;
    this.loss = null;
    this.error = null;
    this.lastCheckpointEpoch = 0;
    this.history = [];
    this.steps = [];
    this.quality = null;
  }

  async cancel(): Promise<void> {
    this.state = 'cancelling';
    await this.jobs.run('Cancelling…', () => this.jobs.api.call('trainCancel', {}));
  }

  async resume(epochs?: number, likelihood: LikelihoodKind | null = null): Promise<void> {
    const { jobs } = this;
    if (!jobs.leaveProject('resume training its model')) return;
    jobs.newJob();
    const started = await jobs.run('Resuming…', () => jobs.api.call('trainResume', epochs ? { epochs } : {}));
    if (!started) return;
    jobs.newJob();
    this.began(started.timeBudgetSeconds);
    this.state = 'running';
    this.likelihood = likelihood;
    this.runId = started.runId;
    this.epochs = started.epochs;
    this.error = null;
  }
}
