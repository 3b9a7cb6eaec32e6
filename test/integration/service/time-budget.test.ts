/**
 * Issue 11: a training on a time budget, through the contract and the REAL engine process. The budget
 * reaches the trainer (the run ends by itself long before its epochs cap), the run, the status and
 * trainEnded say it stopped at the budget, and out-of-range budgets are refused before anything starts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import { MAX_TIME_BUDGET_SECONDS, MIN_TIME_BUDGET_SECONDS, type CallOutput, type EventData, type EventName } from '../../../src/shared/contract';
import { call, refusal, tempDirs, until } from './service-calls';

const tempDir = tempDirs('ls-budget');

describe('training on a time budget (real engine)', () => {
  let service: AppService;
  const seen: [EventName, unknown][] = [];
  const ended = (): EventData<'trainEnded'>[] => seen.filter(([n]) => n === 'trainEnded').map(([, d]) => d as EventData<'trainEnded'>);

  beforeAll(async () => {
    service = new AppService({ spawnEngine: () => forkNodeEngine(), backend: 'wasm', dataDir: tempDir('data'), allowedRoots: [] });
    service.on((name, data) => seen.push([name, data]));
    await service.start();
    await call(service, 'openDataset', { source: { kind: 'mnist' } });
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('stops at the end of the epoch that would pass the budget, far below the epochs cap, and says so', async () => {
    // 1000 epochs of 300 images would take minutes: only the budget can end this run within the wait.
    const cap = 1000;
    const startedAt = performance.now();
    const run = await call<CallOutput<'trainStart'>>(service, 'trainStart', {
      arch: 'mlp',
      latentDim: 2,
      epochs: cap,
      batchSize: 50,
      limit: 300,
      timeBudgetSeconds: MIN_TIME_BUDGET_SECONDS,
    });
    expect(run).toMatchObject({ epochs: cap, timeBudgetSeconds: MIN_TIME_BUDGET_SECONDS });
    expect(service.status().training).toMatchObject({ state: 'running', timeBudgetSeconds: MIN_TIME_BUDGET_SECONDS, budgetReached: false });
    await until(() => ended().length > 0, 'the run to end by itself', 90_000);

    const [end] = ended();
    expect(end).toMatchObject({ runId: run.runId, status: 'done', budgetReached: true, error: null });
    expect(end.epochsCompleted).toBeGreaterThanOrEqual(1);
    expect(end.epochsCompleted).toBeLessThan(cap);
    const status = service.status();
    expect(status.training).toMatchObject({ state: 'done', budgetReached: true, timeBudgetSeconds: MIN_TIME_BUDGET_SECONDS, epoch: end.epochsCompleted });
    // The model on disk is the run's last epoch; its manifest keeps the cap it was asked for.
    expect(status.model).toMatchObject({ dir: run.dir, epochsCompleted: end.epochsCompleted });
    // Progress events carry the run's elapsed time (the page shows it against the budget, also after a reload).
    const elapsed = seen.filter(([n]) => n === 'trainProgress').map(([, d]) => (d as EventData<'trainProgress'>).elapsedSeconds);
    expect(elapsed.length).toBeGreaterThan(0);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    // Seconds since the run started: above zero, and no more than the test itself has waited (a
    // value in milliseconds, or counted from another start, would be far beyond it).
    expect(elapsed[0]).toBeGreaterThan(0);
    expect(elapsed.at(-1)).toBeLessThanOrEqual((performance.now() - startedAt) / 1000);
    const manifest = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8')) as { metrics: unknown[] };
    expect(manifest.metrics).toHaveLength(end.epochsCompleted);
  });

  it('a run without a budget trains its epochs and does not claim the budget', async () => {
    const before = ended().length;
    const run = await call<CallOutput<'trainStart'>>(service, 'trainStart', { arch: 'mlp', latentDim: 2, epochs: 1, batchSize: 50, limit: 100 });
    expect(run.timeBudgetSeconds).toBeNull();
    await until(() => ended().length > before, 'the run to end');
    expect(ended().at(-1)).toMatchObject({ runId: run.runId, status: 'done', epochsCompleted: 1, budgetReached: false });
    expect(service.status().training).toMatchObject({ timeBudgetSeconds: null, budgetReached: false });
  });

  it('refuses a budget outside 1 s … 24 h before starting anything', async () => {
    const before = seen.length;
    for (const timeBudgetSeconds of [0, MIN_TIME_BUDGET_SECONDS / 2, MAX_TIME_BUDGET_SECONDS + 1, -5, Number.NaN]) {
      const error = await refusal(service, 'trainStart', { arch: 'mlp', latentDim: 2, epochs: 1, timeBudgetSeconds });
      expect(error.code).toBe('bad-arguments');
      expect(error.message).toContain('timeBudgetSeconds');
    }
    expect(seen.slice(before).filter(([n]) => n === 'trainEnded' || n === 'trainProgress')).toEqual([]);
    expect(service.status().training.state).toBe('done');
  });
});
