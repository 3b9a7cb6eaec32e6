/**
 * The training slice's state: the run as the service's state machine reports it (service/
 * training-state.ts; this slice keeps no state machine of its own), its latest progress record as the
 * engine made it, the loss curve, and the actions that start, cancel and resume one. Events arrive
 * through the root (shell/app.svelte.ts), which owns the API's event stream and drops stale ones.
 */
import { idleTraining, type EpochMetrics, type EventData, type TrainingStatus, type TrainSettings } from '../../shared/contract';
import { FIRST_GENERATION } from '../../shared/generation';
import type { LikelihoodKind, SampleQualityStage } from '../../shared/vocabulary';
import type { Jobs } from '../shell/session';

export type TrainProgressEvent = EventData<'trainProgress'>;

const IDLE: TrainingStatus = idleTraining(FIRST_GENERATION);

export class TrainingState {
  /** The service's training status, as it last announced it. */
  status = $state.raw<TrainingStatus>(IDLE);
  /** The run's latest progress record (null: none yet). */
  lastProgress = $state.raw<TrainProgressEvent | null>(null);
  /** Seconds since the run started (set from each progress event, ticking on between them). */
  elapsedSeconds = $state(0);
  /** performance.now() when the run started (by the service's elapsed time once a progress event came). */
  startedAt: number | null = null;
  history = $state<EpochMetrics[]>([]);
  /** The decoder likelihood of the run (its losses are converted to bits/dim with it); null: not known. */
  likelihood = $state<LikelihoodKind | null>(null);
  /** After the last epoch: where the measure of the model's sample distance is (null: not measuring). */
  quality = $state<{ stage: SampleQualityStage; done: number; total: number } | null>(null);
  /** Per progress event: x = epochs done (fractional), the batch loss and its two terms. */
  steps = $state.raw<{ x: number; loss: number; recon: number | null; kl: number | null }[]>([]);

  state = $derived(this.status.state);
  runId = $derived(this.status.runId);
  epochs = $derived(this.status.epochs);
  lastCheckpointEpoch = $derived(this.status.lastCheckpointEpoch);
  error = $derived(this.status.error);
  /** The run's time budget (null: it trains for `epochs`, which are then not a cap). */
  timeBudgetSeconds = $derived(this.status.timeBudgetSeconds);
  /** The run ended because its time budget was reached. */
  budgetReached = $derived(this.status.budgetReached);
  active = $derived(this.status.state === 'starting' || this.status.state === 'running' || this.status.state === 'cancelling');

  /** 0…1 over the whole run: on a budget, whichever of time and the epochs cap is further along. */
  progress = $derived.by(() => {
    const { state, epochs, timeBudgetSeconds, lastCheckpointEpoch } = this.status;
    if (state === 'done') return 1;
    const p = this.lastProgress;
    const byTime = timeBudgetSeconds ? Math.min(1, this.elapsedSeconds / timeBudgetSeconds) : 0;
    if (!epochs || !p?.stepsPerEpoch) return Math.max(byTime, epochs ? lastCheckpointEpoch / epochs : 0);
    return Math.max(byTime, Math.min(1, ((p.epoch - 1) * p.stepsPerEpoch + p.step) / (epochs * p.stepsPerEpoch)));
  });

  constructor(private readonly jobs: Jobs) {}

  /** The service announced its status: a new run starts its curve and clock; idle shows no run at all. */
  show(status: TrainingStatus): void {
    const previous = this.status;
    this.status = status;
    if (status.state === 'idle') {
      this.clearRun();
      this.startedAt = null;
      return;
    }
    const isActive = (s: TrainingStatus): boolean => s.state === 'starting' || s.state === 'running' || s.state === 'cancelling';
    // A run begins (or a reload finds one running): its clock starts now, and a new run's curve too.
    if (isActive(status) && (!isActive(previous) || status.runId !== previous.runId || this.startedAt === null)) {
      if (status.runId !== previous.runId) this.clearRun();
      this.startedAt = performance.now();
      this.elapsedSeconds = 0;
    }
  }

  onProgress(p: TrainProgressEvent): void {
    this.lastProgress = p;
    // The service's clock: right after a reload mid-run too; the page ticks on from it.
    this.startedAt = performance.now() - p.elapsedSeconds * 1000;
    this.tick();
    const x = p.epoch - 1 + (p.stepsPerEpoch ? p.step / p.stepsPerEpoch : 0);
    const steps = this.steps.length > 4000 ? this.steps.filter((_, i) => i % 2 === 0) : this.steps;
    this.steps = [...steps, { x, loss: p.loss, recon: p.recon ?? null, kl: p.kl ?? null }];
  }

  onEpoch(metrics: EpochMetrics): void {
    this.history = [...this.history, metrics];
  }

  tick(): void {
    if (this.startedAt !== null) this.elapsedSeconds = (performance.now() - this.startedAt) / 1000;
  }

  /**
   * Starts a run with what the training panel shows (its settings live in the panel): set by the
   * panel while it is mounted, so the view's "Train a model for this dataset" starts the same run.
   */
  startAsShown: (() => Promise<void>) | null = null;

  private clearRun(): void {
    this.lastProgress = null;
    this.history = [];
    this.steps = [];
    this.elapsedSeconds = 0;
  }

  async start(settings: TrainSettings): Promise<void> {
    const { jobs } = this;
    if (!jobs.leaveProject('train a new model')) return;
    jobs.newJob();
    const started = await jobs.run('Starting training…', () => jobs.api.call('trainStart', settings));
    if (!started) return;
    jobs.newJob();
    this.likelihood = settings.likelihood ?? null;
    this.quality = null;
  }

  async cancel(): Promise<void> {
    await this.jobs.run('Cancelling…', () => this.jobs.api.call('trainCancel', {}));
  }

  async resume(epochs?: number, likelihood: LikelihoodKind | null = null): Promise<void> {
    const { jobs } = this;
    if (!jobs.leaveProject('resume training its model')) return;
    jobs.newJob();
    const started = await jobs.run('Resuming…', () => jobs.api.call('trainResume', epochs ? { epochs } : {}));
    if (!started) return;
    jobs.newJob();
    this.likelihood = likelihood;
  }
}
