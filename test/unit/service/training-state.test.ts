import { describe, expect, it } from 'vitest';
import type { Generation, TrainingState, TrainingStatus } from '../../../src/shared/contract';
import { ALLOWED_FROM, idleTraining, IllegalTrainingTransition, transition, type TrainingTransition } from '../../../src/service/training-state';

const g = (n: number): Generation => n as Generation;
const start: TrainingTransition = {
  kind: 'start',
  runId: 'run-1',
  dir: '/d/models/run-1',
  epochs: 10,
  timeBudgetSeconds: 60,
  lastCheckpointEpoch: 0,
  generation: g(3),
};

/** Applies transitions in order from idle. */
function through(...steps: TrainingTransition[]): TrainingStatus {
  return steps.reduce(transition, idleTraining(g(3)));
}

const STATES: TrainingState[] = ['idle', 'starting', 'running', 'cancelling', 'done', 'cancelled', 'failed', 'diverged'];
const SAMPLE: { [K in TrainingTransition['kind']]: TrainingTransition } = {
  start,
  started: { kind: 'started' },
  refused: { kind: 'refused' },
  progress: { kind: 'progress', epoch: 1 },
  checkpoint: { kind: 'checkpoint', epoch: 1 },
  cancel: { kind: 'cancel' },
  ended: { kind: 'ended', cancelled: false, epochsCompleted: 1, budgetReached: false, generation: g(4) },
  failed: { kind: 'failed', error: 'boom', epochsCompleted: 0 },
  diverged: { kind: 'diverged', message: 'The loss exploded at epoch 3 (862 → 46,387). Try a lower learning rate.', epochsCompleted: 2 },
  reloaded: { kind: 'reloaded', epochsCompleted: 1, error: null },
  forget: { kind: 'forget' },
};

describe('the training state machine', () => {
  it('a run: idle → starting → running → done, with its folder, budget and the generation of what it left open', () => {
    const s = through(
      start,
      { kind: 'started' },
      { kind: 'progress', epoch: 1 },
      { kind: 'checkpoint', epoch: 1 },
      { kind: 'ended', cancelled: false, epochsCompleted: 2, budgetReached: true, generation: g(4) },
    );
    expect(s).toEqual({
      state: 'done',
      runId: 'run-1',
      dir: '/d/models/run-1',
      epochs: 10,
      epoch: 2,
      lastCheckpointEpoch: 1,
      error: null,
      timeBudgetSeconds: 60,
      budgetReached: true,
      generation: g(4),
    });
  });

  it('a cancelled run never says it stopped at the budget', () => {
    const s = through(
      start,
      { kind: 'started' },
      { kind: 'cancel' },
      { kind: 'ended', cancelled: true, epochsCompleted: 1, budgetReached: true, generation: g(3) },
    );
    expect(s).toMatchObject({ state: 'cancelled', budgetReached: false });
  });

  it('forget takes a finished run back to idle, without its outcome', () => {
    const failed = through(start, { kind: 'started' }, { kind: 'failed', error: 'engine stopped', epochsCompleted: 0 });
    expect(failed).toMatchObject({ state: 'failed', error: 'engine stopped' });
    expect(transition(failed, { kind: 'forget' })).toMatchObject({ state: 'idle', error: null, budgetReached: false });
  });

  it('a diverged run ends with its reason and the epochs it kept; forget clears it', () => {
    const s = through(start, { kind: 'started' }, { kind: 'progress', epoch: 2 }, SAMPLE.diverged);
    expect(s).toMatchObject({
      state: 'diverged',
      epoch: 2,
      error: 'The loss exploded at epoch 3 (862 → 46,387). Try a lower learning rate.',
      generation: g(3),
    });
    expect(transition(s, { kind: 'forget' })).toMatchObject({ state: 'idle', error: null });
    expect(() => transition(through(start), SAMPLE.diverged)).toThrow(IllegalTrainingTransition);
  });

  it('a refused start goes back to idle', () => {
    expect(through(start, { kind: 'refused' })).toEqual(idleTraining(g(3)));
  });

  it.each([
    ['a second start while one starts', [start], start],
    ['a second start while one runs', [start, { kind: 'started' }], start],
    ['forgetting a run that is still running', [start, { kind: 'started' }], { kind: 'forget' }],
    ['progress when nothing runs', [], { kind: 'progress', epoch: 1 }],
    ['an end before the engine took the run', [start], SAMPLE.ended],
    ['cancelling what has ended', [start, { kind: 'started' }, SAMPLE.ended], { kind: 'cancel' }],
  ] as [string, TrainingTransition[], TrainingTransition][])('refuses %s', (_what, before, t) => {
    const s = through(...before);
    expect(() => transition(s, t)).toThrow(IllegalTrainingTransition);
  });

  it('allows exactly the transitions of its table from every state', () => {
    const reach: Record<TrainingState, TrainingTransition[]> = {
      idle: [],
      starting: [start],
      running: [start, { kind: 'started' }],
      cancelling: [start, { kind: 'started' }, { kind: 'cancel' }],
      done: [start, { kind: 'started' }, SAMPLE.ended],
      cancelled: [start, { kind: 'started' }, { ...SAMPLE.ended, cancelled: true } as TrainingTransition],
      failed: [start, SAMPLE.failed],
      diverged: [start, { kind: 'started' }, SAMPLE.diverged],
    };
    for (const state of STATES) {
      const s = through(...reach[state]);
      expect(s.state).toBe(state);
      for (const t of Object.values(SAMPLE)) {
        const allowed = ALLOWED_FROM[t.kind].includes(state);
        if (allowed) expect(() => transition(s, t), `${t.kind} from ${state}`).not.toThrow();
        else expect(() => transition(s, t), `${t.kind} from ${state}`).toThrow(IllegalTrainingTransition);
      }
    }
  });
});
