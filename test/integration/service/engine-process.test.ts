/**
 * The real engine in a child process (child_process.fork through tsx, 'advanced' serialization):
 * typed arrays cross the boundary as typed arrays, and a killed engine comes back with the
 * checkpoint it wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import type { EventName } from '../../../src/shared/contract';

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the engine process', () => {
  let dataDir: string;
  let service: AppService;
  const seen: [EventName, unknown][] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-engine-'));
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine(), backend: 'wasm', exposeEnginePid: true });
    service.on((n, d) => seen.push([n, d]));
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('trains, embeds and decodes with typed arrays crossing the process boundary', async () => {
    expect(service.status().backend).toBe('wasm');
    const opened = await dispatch(service.handlers, 'openDataset', { source: { kind: 'mnist' } });
    expect(opened.ok).toBe(true);
    const run = await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1, limit: 500 });
    await until(() => seen.some(([n]) => n === 'embeddingsReady'), 'embeddings');
    expect(seen.some(([n]) => n === 'trainProgress')).toBe(true);
    expect(seen.find(([n]) => n === 'trainCheckpoint')?.[1]).toEqual({ runId: run.runId, epoch: 1, dir: run.dir, generation: expect.any(Number) });

    const e = await dispatch(service.handlers, 'embeddings', {});
    if (!e.ok) throw new Error(e.error.message);
    const emb = e.value as { count: number; ids: Int32Array; labels: Int32Array; mu: Float32Array; view: Float32Array };
    expect(emb.count).toBe(70000);
    expect(emb.ids).toBeInstanceOf(Int32Array);
    expect(emb.labels).toBeInstanceOf(Int32Array);
    expect(emb.mu).toBeInstanceOf(Float32Array);
    expect(emb.mu.length).toBe(140000);
    expect(emb.view.length).toBe(210000);

    const d = await dispatch(service.handlers, 'decode', { z: new Float32Array([0, 0, 1, -1]) });
    if (!d.ok) throw new Error(d.error.message);
    const images = d.value as { count: number; pixels: Uint8Array };
    expect(images.count).toBe(2);
    expect(images.pixels).toBeInstanceOf(Uint8Array);
    expect(images.pixels.length).toBe(2 * 784);

    const bad = await dispatch(service.handlers, 'decode', { z: new Float32Array(3) });
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringContaining('n × 2 numbers') } });
  });

  it('comes back after kill -9 with the model reloaded from its checkpoint', async () => {
    const pid = service.status().engine.pid!;
    const modelDir = service.status().model!.dir;
    seen.length = 0;
    process.kill(pid, 'SIGKILL');
    await until(() => seen.some(([n, d]) => n === 'engine' && (d as { restarted: boolean }).restarted), 'restart');
    const status = service.status();
    expect(status.engine.pid).not.toBe(pid);
    expect(status.engine.restarts).toBe(1);
    expect(status.model).toMatchObject({ dir: modelDir, epochsCompleted: 1 });
    const d = await dispatch(service.handlers, 'decode', { z: new Float32Array([0, 0]) });
    expect(d.ok).toBe(true);
  });
});
