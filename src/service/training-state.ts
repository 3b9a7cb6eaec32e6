/**
 * The training's one state machine (issue 23): the service holds it (training.ts), the engine's
 * events drive it, and the renderer shows the status it produces (the 'trainingStatus' event).
 *
 *   idle | done | cancelled | failed ──start──▶ starting ──started──▶ running ──cancel──▶ cancelling
 *   starting ──refused──▶ idle        running | cancelling ──ended──▶ done | cancelled
 *   starting | running | cancelling ──failed──▶ failed        done | cancelled | failed | diverged ──forget──▶ idle
 *   running | cancelling ──diverged──▶ diverged (the loss exploded: the run stopped, the open model stays)
 *
 * A pure function: a transition that is not in the table is refused (IllegalTrainingTransition).
 */
import { idleTraining, type Generation, type TrainingState, type TrainingStatus } from '../shared/contract';

export { idleTraining };

export type TrainingTransition =
  /** A run is asked for: its folder, epochs (the cap on a time budget) and the generation it trains in. */
  | {
      kind: 'start';
      runId: string;
      dir: string;
      epochs: number;
      timeBudgetSeconds: number | null;
      lastCheckpointEpoch: number;
      generation: Generation;
    }
  /** The engine took the run. */
  | { kind: 'started' }
  /** The run was refused before the engine took it (the caller gets the error). */
  | { kind: 'refused' }
  /** A progress record: `epoch` epochs are done. */
  | { kind: 'progress'; epoch: number }
  | { kind: 'checkpoint'; epoch: number }
  | { kind: 'cancel' }
  /** The engine's run ended; `generation` is what is open after it (the trained model, or the one kept on a cancel). */
  | { kind: 'ended'; cancelled: boolean; epochsCompleted: number; budgetReached: boolean; generation: Generation }
  | { kind: 'failed'; error: string; epochsCompleted: number }
  /** The engine stopped the run because its loss exploded; `message` says how and what to try. */
  | { kind: 'diverged'; message: string; epochsCompleted: number }
  /** After a failure, the run's folder was reloaded: the checkpoint it holds is the last one kept. */
  | { kind: 'reloaded'; epochsCompleted: number; error: string | null }
  /** Something else was opened: a finished run's outcome no longer describes what is shown. */
  | { kind: 'forget' };

const FINISHED: readonly TrainingState[] = ['done', 'cancelled', 'failed', 'diverged'];

/** From which states each transition may be taken. */
export const ALLOWED_FROM: { readonly [K in TrainingTransition['kind']]: readonly TrainingState[] } = {
  start: ['idle', ...FINISHED],
  started: ['starting'],
  refused: ['starting'],
  progress: ['running', 'cancelling'],
  checkpoint: ['running', 'cancelling'],
  cancel: ['running'],
  ended: ['running', 'cancelling'],
  failed: ['starting', 'running', 'cancelling'],
  diverged: ['running', 'cancelling'],
  reloaded: ['failed'],
  forget: ['idle', ...FINISHED],
};

export class IllegalTrainingTransition extends Error {
  constructor(
    readonly from: TrainingState,
    readonly transition: TrainingTransition['kind'],
  ) {
    super(`training: "${transition}" is not allowed while ${from}`);
    this.name = 'IllegalTrainingTransition';
  }
}

export function canTransition(state: TrainingState, kind: TrainingTransition['kind']): boolean {
  return ALLOWED_FROM[kind].includes(state);
}

/** The status after `t`, or IllegalTrainingTransition when `t` is not allowed from `s.state`. */
export function transition(s: TrainingStatus, t: TrainingTransition): TrainingStatus {
  if (!canTransition(s.state, t.kind)) throw new IllegalTrainingTransition(s.state, t.kind);
  switch (t.kind) {
    case 'start':
      return {
        state: 'starting',
        runId: t.runId,
        dir: t.dir,
        epochs: t.epochs,
        epoch: 0,
        lastCheckpointEpoch: t.lastCheckpointEpoch,
        error: null,
        timeBudgetSeconds: t.timeBudgetSeconds,
        budgetReached: false,
        generation: t.generation,
      };
    case 'started':
      return { ...s, state: 'running' };
    case 'refused':
      return idleTraining(s.generation);
    case 'progress':
      return { ...s, epoch: t.epoch };
    case 'checkpoint':
      return { ...s, lastCheckpointEpoch: t.epoch };
    case 'cancel':
      return { ...s, state: 'cancelling' };
    case 'ended':
      return {
        ...s,
        state: t.cancelled ? 'cancelled' : 'done',
        epoch: t.epochsCompleted,
        budgetReached: t.budgetReached && !t.cancelled,
        generation: t.generation,
      };
    case 'failed':
      return { ...s, state: 'failed', epoch: t.epochsCompleted, error: t.error, budgetReached: false };
    case 'diverged':
      return { ...s, state: 'diverged', epoch: t.epochsCompleted, error: t.message, budgetReached: false };
    case 'reloaded':
      return t.error === null
        ? { ...s, lastCheckpointEpoch: t.epochsCompleted }
        : { ...s, lastCheckpointEpoch: t.epochsCompleted, epoch: t.epochsCompleted, error: t.error };
    case 'forget':
      return { ...s, state: 'idle', error: null, budgetReached: false };
  }
}
