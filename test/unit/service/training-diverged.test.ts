/** A run whose loss exploded ends 'diverged' with its reason, and the model open before it stays open. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import type { AppService } from '../../../src/service/service';
import type { EventName } from '../../../src/shared/contract';
import type { FakeEngine } from './fake-engine';
import { startService, until } from './project-harness';

describe('AppService: a diverged run', () => {
  let dataDir: string;
  let engines: FakeEngine[];
  let seen: [EventName, unknown][];
  let service: AppService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-service-'));
    ({ service, engines, seen } = await startService(dataDir, []));
  });

  afterEach(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const events = (name: EventName): unknown[] => seen.filter(([n]) => n === name).map(([, d]) => d);

  it('says so with the reason, keeps the model open before it and its generation, and a new run may start', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    // A good run first: its model is the one open when the next run diverges.
    await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 });
    await until(() => engines[0].trainRequest !== null, 'first train request');
    engines[0].checkpoint(1);
    engines[0].finishTraining(1);
    await until(() => service.status().training.state === 'done', 'first run done');
    seen.length = 0;
    const before = service.status();
    expect(before.model).not.toBeNull();
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 10, lr: 5 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    engines[0].checkpoint(1);
    engines[0].checkpoint(2);
    const message = 'The loss exploded at epoch 3 (862 → 46,387). Try a lower learning rate.';
    engines[0].divergeTraining(2, message);
    await until(() => events('trainEnded').length === 1, 'trainEnded');

    expect(events('trainEnded')).toEqual([
      { runId: run.runId, generation: before.generation, status: 'diverged', epochsCompleted: 2, error: message, budgetReached: false },
    ]);
    expect(service.status().training).toMatchObject({ state: 'diverged', epoch: 2, error: message, generation: before.generation });
    expect(service.status().model).toEqual(before.model);
    expect(service.status().generation).toBe(before.generation);
    await expect(service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 })).resolves.toMatchObject({ epochs: 1 });
  });
});
