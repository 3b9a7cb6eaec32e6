/**
 * The moment between an engine crash and the new engine holding what was open again: calls made then
 * wait for it (status names the run's model, decode reaches a loaded model, resume continues the run),
 * and the lost run's message and status count the same epochs, from the checkpoint on disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import type { AppService } from '../../../src/service/service';
import type { EventName, Status } from '../../../src/shared/contract';
import { FakeEngine } from './fake-engine';
import { startService, until } from './project-harness';

describe('an engine restart under the service', () => {
  let dataDir: string;
  let engines: FakeEngine[];
  let seen: [EventName, unknown][];
  let service: AppService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-restart-'));
    ({ service, engines, seen } = await startService(dataDir, []));
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
  });

  afterEach(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function crashedRun(): Promise<string> {
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 3 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    engines[0].checkpoint(1);
    await until(() => seen.some(([n]) => n === 'trainCheckpoint'), 'checkpoint event');
    return run.dir;
  }

  it('makes calls made during the restart wait for it: status, decode and resume see the reloaded run', async () => {
    const dir = await crashedRun();
    engines[0].crash();
    // Made at once, while the new engine is still starting.
    const [status, resume, decode] = await Promise.all([
      dispatch(service.handlers, 'status', {}),
      dispatch(service.handlers, 'trainResume', { epochs: 3 }),
      dispatch(service.handlers, 'decode', { z: new Float32Array([0, 0]) }),
    ]);
    expect(status.ok && (status.value as Status).model?.dir).toBe(dir);
    expect(resume).toMatchObject({ ok: true, value: { dir } });
    const ops = engines[1].received.map((m) => m.op);
    expect(ops.indexOf('decode')).toBeGreaterThan(ops.indexOf('loadModel'));
    expect(ops.indexOf('loadModel')).toBeGreaterThan(-1);
    expect(decode.ok).toBe(true); // answered by the reloaded engine: what matters is when it was asked
  });

  it('says the epochs the checkpoint on disk holds when the engine died before reporting it', async () => {
    const dir = await crashedRun();
    // Epoch 2's checkpoint was written, but the engine died before its events left.
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ epoch: 2 }));
    FakeEngine.checkpoints.set(dir, 2);
    engines[0].crash();
    await until(() => seen.some(([n, d]) => n === 'engine' && (d as { restarted: boolean }).restarted), 'restart');
    const { training, model } = service.status();
    expect(model).toMatchObject({ dir, epochsCompleted: 2 });
    expect(training).toMatchObject({
      state: 'failed',
      epoch: 2,
      lastCheckpointEpoch: 2,
      error: 'the engine stopped during epoch 3; the checkpoint of epoch 2 is kept — resume to continue',
    });
  });
});
