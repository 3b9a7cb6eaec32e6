/**
 * Training runs: start, cancel and resume a training in the engine, follow its progress events, and
 * keep its status in the one training state machine (training-state.ts), announced to the renderer
 * after every change ('trainingStatus'). Every epoch the engine writes a checkpoint into the run's
 * folder in the data dir (models/<run>/), so a crash loses at most the epoch in progress.
 */
import { DECODER_DEFAULTS, learningRateFor, suggestTraining } from '../shared/training-defaults';
import { randomBytes } from 'node:crypto';
import { cp } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ContractError, type CallOutput, type TrainingStatus, type TrainSettings } from '../shared/contract';
import type { EngineArgs, EngineEvent } from '../shared/engine-protocol';
import { plural } from '../shared/plural';
import { isWithin } from './allowed-paths';
import type { EngineSupervisor } from './engine-supervisor';
import type { ServiceEvents } from './events';
import { canTransition, idleTraining, transition, type TrainingTransition } from './training-state';
import type { Workspace } from './workspace';

type TrainArgs = EngineArgs<'train'>;

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${t}-${randomBytes(3).toString('hex')}`;
}

export class Training {
  private status: TrainingStatus;

  /** performance.now() when the current (or last) run started. */
  private runStartedAt = 0;

  constructor(
    private readonly dataDir: string,
    private readonly engine: EngineSupervisor,
    private readonly events: ServiceEvents,
    private readonly workspace: Workspace,
  ) {
    this.status = idleTraining(workspace.generation);
    // Another dataset or model opened: a finished run's outcome ("cancelled", its budget, its error)
    // no longer describes what is shown. A restart reloads the same pair: the outcome stays.
    workspace.onOpen((reason) => {
      if (reason === 'opened') this.forgetFinished();
    });
  }

  /** A finished run's outcome is no longer shown (something else opened, or a dataset is being opened). */
  forgetFinished(): void {
    if (this.status.state !== 'idle' && canTransition(this.status.state, 'forget')) this.apply({ kind: 'forget' });
  }

  /** Moves the state machine; every change but a progress record is announced. */
  private apply(t: TrainingTransition): void {
    this.status = transition(this.status, t);
    if (t.kind !== 'progress') this.events.emit('trainingStatus', this.snapshot());
  }

  get busy(): boolean {
    const { state } = this.status;
    return state === 'starting' || state === 'running' || state === 'cancelling';
  }

  snapshot(): TrainingStatus {
    return { ...this.status };
  }

  /** The folder of the current (or last) run. */
  get dir(): string | null {
    return this.status.dir;
  }

  async start(s: TrainSettings): Promise<CallOutput<'trainStart'>> {
    const dataset = this.workspace.dataset;
    if (this.busy) throw new ContractError('busy', 'a training is already running: cancel it first');
    if (!dataset) throw new ContractError('no-dataset', 'open a dataset (MNIST or an image folder) before training');
    if (s.arch === 'conv' && dataset.height % 4 !== 0)
      throw new ContractError('bad-arguments', `conv needs an image size that divides by 4, the dataset has ${dataset.height}`);
    if (s.arch !== 'conv' && (s.decoderUpsample !== undefined || s.residualBlocks !== undefined))
      throw new ContractError('bad-arguments', "the decoder's upsampling and residual blocks shape the convolutional model: choose it, or leave them unset");
    const runId = newRunId();
    const dir = join(this.dataDir, 'models', runId);
    // What the user left unset is chosen from the dataset (shared/training-defaults.ts).
    const suggested = suggestTraining({ kind: dataset.source.kind, trainCount: dataset.trainCount, height: dataset.height, channels: dataset.channels });
    const likelihood = s.likelihood ?? suggested.likelihood;
    const args: TrainArgs = {
      dir,
      resume: false,
      arch: s.arch,
      latentDim: s.latentDim,
      epochs: s.epochs,
      batchSize: s.batchSize ?? suggested.batchSize,
      lr: s.lr ?? (s.arch === 'conv' && suggested.arch === 'conv' ? suggested.lr : learningRateFor('mlp')),
      lrSchedule: suggested.lrSchedule,
      beta: s.beta ?? DECODER_DEFAULTS.beta,
      likelihood,
      learnedScale: likelihood === 'gaussian' && (s.learnedScale ?? (s.likelihood === undefined ? suggested.learnedScale : false)),
      binarize: s.binarize ?? false,
      seed: s.seed ?? 0,
      ...(s.limit ? { limit: s.limit } : {}),
      ...(s.subset ? { subset: s.subset } : {}),
      // On a budget `epochs` is the cap; the trainer stops at the end of the epoch that would pass it.
      ...(s.timeBudgetSeconds === undefined ? {} : { timeBudget: { seconds: s.timeBudgetSeconds, clock: 'wall' as const } }),
      // Unset: the trainer's own defaults, which are DECODER_DEFAULTS (the model of before the options).
      ...(s.decoderUpsample === undefined ? {} : { decoderUpsample: s.decoderUpsample }),
      ...(s.residualBlocks === undefined ? {} : { residualBlocks: s.residualBlocks }),
      ...(s.klWarmup === undefined ? {} : { klWarmup: s.klWarmup }),
      ...(s.freeBits === undefined ? {} : { freeBits: s.freeBits }),
    };
    // Starting at once, before anything is awaited: a second start is refused as busy.
    this.begin(args, runId, 0);
    await this.prepare(() => this.engine.ensure());
    return this.run(args, runId);
  }

  private begin(args: TrainArgs, runId: string, lastCheckpointEpoch: number): void {
    const timeBudgetSeconds = args.timeBudget?.seconds ?? null;
    this.apply({ kind: 'start', runId, dir: args.dir, epochs: args.epochs, timeBudgetSeconds, lastCheckpointEpoch, generation: this.workspace.generation });
  }

  /** What a run needs before the engine takes it; a failure refuses the run (back to idle) and is thrown. */
  private async prepare(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (this.status.state === 'starting') this.apply({ kind: 'refused' });
      throw err;
    }
  }

  async cancel(): Promise<CallOutput<'trainCancel'>> {
    const { state } = this.status;
    if (state !== 'running' && state !== 'cancelling') return { cancelled: false };
    if (state === 'running') this.apply({ kind: 'cancel' });
    const { cancelled } = await this.engine.request('cancel', {});
    return { cancelled };
  }

  async resume(epochs: number | undefined): Promise<CallOutput<'trainResume'>> {
    if (this.busy) throw new ContractError('busy', 'a training is already running');
    const model = this.workspace.model;
    if (!model) throw new ContractError('no-model', 'no model to resume: train one or open a project');
    if (!model.training) throw new ContractError('no-training', 'this model has no training settings to resume with');
    if (!this.workspace.dataset) throw new ContractError('no-dataset', 'open the dataset the model was trained on first');
    const total = epochs ?? model.training.epochs;
    if (total <= model.epochsCompleted) {
      throw new ContractError('bad-arguments', `the model already has ${plural(model.epochsCompleted, 'epoch')}: ask for more than that to resume`);
    }
    // Resume writes checkpoints into the model's folder: a model trained here continues in place;
    // others (the default model, a project's) are copied to a new run in the data dir first.
    let dir = resolve(model.dir);
    let runId = basename(dir);
    const copy = this.workspace.isDefaultModel || !isWithin(resolve(this.dataDir, 'models'), dir);
    if (copy) {
      runId = newRunId();
      dir = join(this.dataDir, 'models', runId);
    }
    const t = model.training;
    const args: TrainArgs = {
      dir,
      resume: true,
      arch: model.arch,
      latentDim: model.latentDim,
      epochs: total,
      batchSize: t.batchSize,
      lr: t.lr,
      ...(t.lrSchedule ? { lrSchedule: t.lrSchedule } : {}),
      beta: t.beta,
      likelihood: model.likelihood,
      binarize: t.binarize,
      seed: t.seed,
      ...(t.limit ? { limit: t.limit } : {}),
      // The decoder's shape comes with the checkpoint; the KL's shaping is the run's and goes on.
      ...(t.klWarmup ? { klWarmup: t.klWarmup } : {}),
      ...(t.freeBits ? { freeBits: t.freeBits } : {}),
    };
    this.begin(args, runId, copy ? 0 : model.epochsCompleted);
    await this.prepare(async () => {
      if (copy) await cp(model.dir, dir, { recursive: true });
      await this.engine.ensure();
    });
    return this.run(args, runId);
  }

  private run(args: TrainArgs, runId: string): CallOutput<'trainStart'> {
    const timeBudgetSeconds = args.timeBudget?.seconds ?? null;
    this.runStartedAt = performance.now();
    const model = this.workspace.model;
    const engine = this.engine.current;
    // A cancelled run does not replace the model that was open (its partial checkpoint stays in its folder).
    const previous = model;
    const previousIsDefault = this.workspace.isDefaultModel;
    this.apply({ kind: 'started' });
    void this.engine.request('train', args).then(
      async (result) => {
        if (this.status.runId !== runId || !canTransition(this.status.state, 'ended')) return;
        if (result.diverged) return this.diverged(runId, result.diverged.message, result.epochsCompleted);
        const keptPrevious =
          result.cancelled && previous !== null && previous.dir !== args.dir
            ? await this.reopen(previous.dir, previousIsDefault, args.dir, result.epochsCompleted)
            : false;
        if (result.model && !keptPrevious) this.workspace.setModel(result.model, false);
        // The outcome belongs to what is open now (the trained model, or the one kept on a cancel).
        const generation = this.workspace.generation;
        this.apply({ kind: 'ended', cancelled: result.cancelled, epochsCompleted: result.epochsCompleted, budgetReached: result.budgetReached, generation });
        const { state, budgetReached } = this.status;
        if (state !== 'done' && state !== 'cancelled') return;
        this.events.emit('trainEnded', { runId, generation, status: state, epochsCompleted: result.epochsCompleted, error: null, budgetReached });
        this.workspace.scheduleEmbeddings();
      },
      (err: Error) => {
        if (this.status.runId !== runId || !this.busy) return;
        // An engine crash is reported by engineLost(); anything else ends the run here.
        if (engine !== this.engine.current || !this.engine.alive) return;
        this.apply({ kind: 'failed', error: err.message, epochsCompleted: this.status.epoch });
        const { generation, lastCheckpointEpoch } = this.status;
        this.events.emit('trainEnded', { runId, generation, status: 'failed', epochsCompleted: lastCheckpointEpoch, error: err.message, budgetReached: false });
      },
    );
    return { runId, dir: args.dir, epochs: args.epochs, timeBudgetSeconds };
  }

  /** The engine stopped the run because its loss exploded: it opened nothing, so the model open before stays open. */
  private diverged(runId: string, message: string, epochsCompleted: number): void {
    this.apply({ kind: 'diverged', message, epochsCompleted });
    const { generation } = this.status;
    this.events.emit('trainEnded', { runId, generation, status: 'diverged', epochsCompleted, error: message, budgetReached: false });
  }

  /**
   * After a cancel the engine holds the partial run: load the model that was open before again.
   * False (and a warning) when it cannot be loaded any more; the partial run is opened then.
   */
  private async reopen(dir: string, isDefault: boolean, runDir: string, epochs: number): Promise<boolean> {
    try {
      const info = await this.engine.request('loadModel', { dir });
      this.workspace.setModel(info, isDefault);
      if (epochs > 0)
        this.events.notice('info', `training cancelled: the model that was open stays open; the partial run (${plural(epochs, 'epoch')}) is kept in ${runDir}`);
      return true;
    } catch (err) {
      this.events.notice('warning', `training cancelled: the model open before could not be loaded again (${(err as Error).message}); the partial run is open`);
      return false;
    }
  }

  /** The training's progress events (other engine events are not the training's: false). */
  onEngineEvent(e: EngineEvent): boolean {
    const runId = this.status.runId ?? '';
    const generation = this.workspace.generation;
    // A run's event after it ended (or before it began) describes no run: dropped.
    const ofTheRun = canTransition(this.status.state, 'progress');
    switch (e.type) {
      case 'step': {
        if (!ofTheRun) return true;
        const { type: _type, ...record } = e;
        this.apply({ kind: 'progress', epoch: e.epoch - 1 });
        this.events.emit('trainProgress', { ...record, runId, generation, elapsedSeconds: (performance.now() - this.runStartedAt) / 1000 });
        return true;
      }
      case 'epoch': {
        if (!ofTheRun) return true;
        const { type: _type, ...metrics } = e;
        this.apply({ kind: 'progress', epoch: e.epoch });
        this.events.emit('trainEpoch', { runId, generation, ...metrics });
        return true;
      }
      case 'checkpoint':
        if (!ofTheRun) return true;
        this.apply({ kind: 'checkpoint', epoch: e.epoch });
        this.events.emit('trainCheckpoint', { runId, generation, epoch: e.epoch, dir: e.dir });
        return true;
      case 'quality':
        this.events.emit('trainQuality', { runId, stage: e.stage, done: e.done, total: e.total });
        return true;
      case 'snapshot': {
        if (!ofTheRun) return true;
        const { type: _type, ...snapshot } = e;
        this.events.emit('trainSnapshot', { runId, generation, ...snapshot });
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * The engine died: a running training ends as failed (its last checkpoint is kept). Returns the
   * run's folder when one was running — it holds the last checkpoint, maybe one no event reported.
   */
  engineLost(): string | null {
    if (!this.busy) return null;
    const kept = this.status.lastCheckpointEpoch;
    // Counted from the last checkpoint, as the status is: an epoch whose save was cut off is lost.
    const error = lostMessage(kept);
    this.apply({ kind: 'failed', error, epochsCompleted: kept });
    const { runId, generation } = this.status;
    if (runId) this.events.emit('trainEnded', { runId, generation, status: 'failed', epochsCompleted: kept, error, budgetReached: false });
    return this.status.dir;
  }

  /** A model was reloaded after a restart: if it is this run's, its checkpoint is the last one kept. */
  modelReloaded(dir: string, epochsCompleted: number): void {
    if (dir !== this.status.dir || this.status.state !== 'failed') return;
    if (this.status.lastCheckpointEpoch === epochsCompleted) return;
    // The save finished but its event was lost with the engine: the folder is the truth.
    const error = lostMessage(epochsCompleted);
    this.apply({ kind: 'reloaded', epochsCompleted, error });
    this.events.notice('info', error);
  }
}

function lostMessage(kept: number): string {
  return `the engine stopped during epoch ${kept + 1}; ${kept ? `the checkpoint of epoch ${kept} is kept — resume to continue` : 'no epoch had finished yet'}`;
}
