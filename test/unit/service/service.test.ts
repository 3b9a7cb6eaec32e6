import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { AppService } from '../../../src/service/service';
import type { EventData, EventName } from '../../../src/shared/contract';
import { FakeEngine } from './fake-engine';

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('AppService', () => {
  let dataDir: string;
  let outside: string;
  let engines: FakeEngine[];
  let seen: [EventName, unknown][];
  let service: AppService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-service-'));
    outside = mkdtempSync(join(tmpdir(), 'ls-outside-'));
    engines = [];
    seen = [];
    service = new AppService({
      dataDir,
      spawnEngine: () => {
        const e = new FakeEngine();
        engines.push(e);
        return e;
      },
      exposeEnginePid: true,
      maxRestarts: 2,
      pathHint: 'start serve with --allow DIR',
    });
    service.on((name, data) => seen.push([name, data]));
    await service.start();
  });

  afterEach(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const events = (name: EventName): unknown[] => seen.filter(([n]) => n === name).map(([, d]) => d);

  // What the status says about fallbacks is checked with the real engine in engine-fallbacks.test.ts.
  it('reports the backend and the engine pid once the engine is up', () => {
    const status = service.status();
    expect(status.backend).toBe('cpu');
    expect(status.engine).toMatchObject({ state: 'ready', restarts: 0, pid: engines[0].pid });
    expect(status.allowedRoots).toContain(dataDir);
  });

  it('refuses paths outside the chosen folders with a clear error, and accepts them once chosen', async () => {
    const folder = join(outside, 'images');
    mkdirSync(folder);
    for (const [call, args] of [
      ['openDataset', { source: { kind: 'folder', path: folder } }],
      ['projectSave', { path: join(outside, 'project') }],
      ['projectOpen', { path: join(outside, 'project') }],
      ['export', { path: join(outside, 'a.gif'), keyframes: new Float32Array(4), frames: 10 }],
    ] as const) {
      const r = await dispatch(service.handlers, call, args);
      expect(r.ok, call).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('path-not-allowed');
        expect(r.error.message).toContain('is outside the folders you chose');
        expect(r.error.message).toContain('--allow');
      }
    }
    // `..` cannot climb out of an allowed folder.
    const sneaky = await dispatch(service.handlers, 'openDataset', { source: { kind: 'folder', path: `${dataDir}/../${outside.split('/').pop()}/images` } });
    expect(sneaky.ok).toBe(false);
    // Nothing reached the engine.
    expect(engines[0].received.map((m) => m.op)).toEqual(['init']);

    await service.paths.add(outside);
    const r = await dispatch(service.handlers, 'openDataset', { source: { kind: 'folder', path: folder } });
    expect(r.ok).toBe(true);
  });

  it('hands a time budget to the engine as wall-clock seconds, reports that it ended the run, and forgets it when a dataset opens', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 500, timeBudgetSeconds: 90 });
    expect(run).toMatchObject({ epochs: 500, timeBudgetSeconds: 90 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    expect(engines[0].trainRequest!.args).toMatchObject({ epochs: 500, timeBudget: { seconds: 90, clock: 'wall' } });
    expect(service.status().training).toMatchObject({ state: 'running', timeBudgetSeconds: 90, budgetReached: false });
    engines[0].checkpoint(1);
    engines[0].checkpoint(2);
    engines[0].finishTraining(2, false, true);
    await until(() => events('trainEnded').length === 1, 'trainEnded');
    // The outcome belongs to the generation of the model the run left open.
    const { generation } = service.status();
    expect(events('trainEnded')).toEqual([{ runId: run.runId, generation, status: 'done', epochsCompleted: 2, error: null, budgetReached: true }]);
    expect(service.status().training.generation).toBe(generation);
    expect(service.status().training).toMatchObject({ state: 'done', epoch: 2, budgetReached: true });
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    expect(service.status().training).toMatchObject({ state: 'idle', budgetReached: false });

    // Resume trains to N epochs in total: no budget reaches the engine.
    await service.trainResume(4);
    await until(() => engines[0].trainRequest !== null, 'resume request');
    expect(engines[0].trainRequest!.args).not.toHaveProperty('timeBudget');
    expect(service.status().training).toMatchObject({ timeBudgetSeconds: null });
  });

  it('hands a training subset (a selection of the view) to the engine as dataset indices', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const started = await dispatch(service.handlers, 'trainStart', { arch: 'mlp', latentDim: 2, epochs: 1, subset: Int32Array.of(1, 3) });
    expect(started.ok).toBe(true);
    await until(() => engines[0].trainRequest !== null, 'train request');
    expect(Array.from((engines[0].trainRequest!.args as { subset: Int32Array }).subset)).toEqual([1, 3]);
    engines[0].finishTraining(1, false);
  });

  it("hands the advanced settings to the engine, refuses the conv decoder's for an MLP, and forwards the sample distance's progress", async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const refused = await dispatch(service.handlers, 'trainStart', { arch: 'mlp', latentDim: 2, epochs: 1, residualBlocks: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(refused.ok ? '' : refused.error.message).toMatch(/convolutional model/);
    const settings = { arch: 'conv', latentDim: 4, epochs: 1, decoderUpsample: 'resize-conv', residualBlocks: 1, klWarmup: 0.2, freeBits: 0.5 } as const;
    const run = await service.trainStart(settings);
    await until(() => engines[0].trainRequest !== null, 'train request');
    expect(engines[0].trainRequest!.args).toMatchObject({ decoderUpsample: 'resize-conv', residualBlocks: 1, klWarmup: 0.2, freeBits: 0.5, beta: 1 });
    engines[0].event({ type: 'quality', stage: 'samples', done: 250, total: 1000 });
    await until(() => events('trainQuality').length === 1, 'trainQuality');
    expect(events('trainQuality')).toEqual([{ runId: run.runId, stage: 'samples', done: 250, total: 1000 }]);
  });

  it("without advanced settings the engine gets none: the trainer keeps today's model", async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    await service.trainStart({ arch: 'conv', latentDim: 4, epochs: 1 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    const args = engines[0].trainRequest!.args as Record<string, unknown>;
    for (const key of ['decoderUpsample', 'residualBlocks', 'klWarmup', 'freeBits']) expect(args).not.toHaveProperty(key);
  });

  it('computes the embeddings once per model and keeps them', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    engines[0].checkpoint(1);
    engines[0].finishTraining(1);
    await until(() => events('embeddingsReady').length === 1, 'embeddingsReady');
    const first = await dispatch(service.handlers, 'embeddings', {});
    const second = await dispatch(service.handlers, 'embeddings', {});
    expect(first.ok && second.ok).toBe(true);
    expect(engines[0].received.filter((m) => m.op === 'embed')).toHaveLength(1);
    expect(service.status().model?.dir).toBe(run.dir);
    expect(service.status().embeddingsReady).toBe(true);
  });

  it('when the engine dies mid-training: says so, restarts it, reopens the dataset and reloads the last checkpoint', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 3, limit: 4 });
    expect(run.dir.startsWith(join(dataDir, 'models'))).toBe(true);
    await until(() => engines[0].trainRequest !== null, 'train request');
    engines[0].checkpoint(1);
    await until(() => events('trainCheckpoint').length === 1, 'checkpoint event');
    seen.length = 0;

    engines[0].crash();
    await until(() => events('engine').some((e) => (e as { restarted: boolean }).restarted), 'restart');

    const engineEvents = events('engine') as { state: string; message: string | null; restarted: boolean }[];
    expect(engineEvents[0]).toMatchObject({ state: 'crashed', restarted: false });
    expect(engineEvents[0].message).toContain('stopped unexpectedly (killed by SIGKILL)');
    expect(events('trainEnded')).toEqual([
      {
        runId: run.runId,
        generation: expect.any(Number),
        status: 'failed',
        epochsCompleted: 1,
        error: 'the engine stopped during epoch 2; the checkpoint of epoch 1 is kept — resume to continue',
        budgetReached: false,
      },
    ]);
    const ready = engineEvents.at(-1)!;
    expect(ready).toMatchObject({ state: 'ready', restarted: true });
    expect(ready.message).toBe('The engine restarted and reloaded the dataset MNIST and the model at epoch 1.');

    // A new process, the dataset reopened, the checkpoint loaded from the run's folder.
    expect(engines).toHaveLength(2);
    expect(engines[1].received.map((m) => m.op)).toEqual(['init', 'openDataset', 'loadModel', 'embed']);
    expect(engines[1].received[2].args).toEqual({ dir: run.dir });
    const status = service.status();
    expect(status.engine).toMatchObject({ state: 'ready', restarts: 1, pid: engines[1].pid });
    expect(status.model).toMatchObject({ dir: run.dir, epochsCompleted: 1 });
    expect(status.training).toMatchObject({ state: 'failed', lastCheckpointEpoch: 1 });

    // Resume continues in the same folder from the checkpoint.
    const resumed = await service.trainResume(3);
    expect(resumed).toEqual({ runId: run.runId, dir: run.dir, epochs: 3, timeBudgetSeconds: null });
    await until(() => engines[1].trainRequest !== null, 'resume request');
    expect(engines[1].trainRequest!.args).toMatchObject({ dir: run.dir, resume: true, epochs: 3 });
  });

  it('stamps results with the generation of what is open, and refuses one computed for an older generation as stale', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const opened = service.status().generation;
    const fresh = await dispatch(service.handlers, 'decode', { z: Float32Array.of(0, 0) });
    expect(fresh).toMatchObject({ ok: true, value: { count: 1, generation: opened } });

    // A decode in flight while another dataset opens: its answer describes what was open before.
    engines[0].holding.add('decode');
    const late = dispatch(service.handlers, 'decode', { z: Float32Array.of(0, 0) });
    await until(() => engines[0].received.filter((m) => m.op === 'decode').length === 2, 'the held decode');
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const reopened = service.status().generation;
    expect(reopened).toBeGreaterThan(opened);
    expect(events('generationChanged')).toContainEqual({ generation: reopened });
    engines[0].release();
    const r = await late;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('stale');
  });

  it('keeps one training state machine: starting at once (a second start is refused), announced on every change, forgotten when another model opens', async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const first = service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 });
    // Before anything was awaited: the run is starting, and a second start is refused.
    expect(service.status().training.state).toBe('starting');
    await expect(service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 })).rejects.toThrow('already running');
    const run = await first;
    await until(() => engines[0].trainRequest !== null, 'train request');
    engines[0].checkpoint(1);
    engines[0].finishTraining(1, false, true);
    await until(() => service.status().training.state === 'done', 'done');
    const states = (events('trainingStatus') as { state: string }[]).map((s) => s.state);
    expect(states).toEqual(['starting', 'running', 'running', 'done']);

    // Another model opens (here: the same folder, loaded again, as the library does): the outcome is not its.
    const reloaded = await dispatch(service.handlers, 'modelOpen', { id: run.runId });
    expect(reloaded.ok).toBe(true);
    expect(service.status().training).toMatchObject({ state: 'idle', budgetReached: false });
    expect((events('trainingStatus') as { state: string }[]).at(-1)).toMatchObject({ state: 'idle' });
  });

  it("passes the engine's progress record on unchanged, with the run's id, generation and clock; none after the run ended", async () => {
    await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 3 });
    await until(() => engines[0].trainRequest !== null, 'train request');
    const record = { epoch: 1, epochs: 3, step: 4, stepsPerEpoch: 10, loss: 180.5, samplesPerSec: 950, etaSeconds: 12, recon: 170, kl: 10.5 };
    engines[0].event({ type: 'step', ...record });
    await until(() => events('trainProgress').length === 1, 'trainProgress');
    const { runId, generation, elapsedSeconds: _clock, ...passed } = events('trainProgress')[0] as EventData<'trainProgress'>;
    expect(passed).toEqual(record);
    expect({ runId, generation }).toEqual({ runId: run.runId, generation: service.status().generation });

    engines[0].checkpoint(1);
    engines[0].finishTraining(1);
    await until(() => service.status().training.state === 'done', 'done');
    engines[0].event({ type: 'step', ...record, step: 9 });
    await new Promise((r) => setTimeout(r, 20));
    expect(events('trainProgress')).toHaveLength(1);
  });

  it('gives up after too many crashes in a row and says so', async () => {
    for (let i = 0; i < 3; i++) {
      await until(() => engines.length === i + 1 && service.status().engine.state === 'ready', `engine ${i}`);
      engines[i].crash();
    }
    await until(() => service.status().engine.state === 'failed', 'failed state');
    expect(service.status().engine.message).toContain('keeps stopping');
    const r = await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    expect(r.ok).toBe(false);
  });

  it('handles a missing default model gracefully', async () => {
    const other = new AppService({ dataDir, spawnEngine: () => new FakeEngine(), defaultModelDir: join(dataDir, 'no-such-model') });
    await other.start();
    expect(other.status().model).toBeNull();
    await other.stop();
  });
});
