/**
 * The service's behaviours that matter, once each with the REAL engine process (child_process.fork
 * through tsx, wasm backend) instead of the in-process fake: embeddings computed once per model, a
 * crash mid-training that keeps the last checkpoint and resumes from it, giving up after repeated
 * crashes, the points as CSV, and a project whose image folder moved (real ingest fingerprints).
 * (Saving and reopening a project with the real model is in animation.test.ts; typed arrays across
 * the process and a kill after training in engine-process.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService, type ServiceOptions } from '../../../src/service/service';
import type { DatasetSummary, EventName, ProjectSummary } from '../../../src/shared/contract';

async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function call<T>(service: AppService, name: Parameters<typeof dispatch>[1], args: unknown): Promise<T> {
  const r = await dispatch(service.handlers, name, args);
  if (!r.ok) throw Object.assign(new Error(`${String(name)}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

interface Harness {
  service: AppService;
  seen: [EventName, unknown][];
}

async function startService(options: Omit<ServiceOptions, 'spawnEngine'>): Promise<Harness> {
  const seen: [EventName, unknown][] = [];
  const service = new AppService({ spawnEngine: () => forkNodeEngine(), backend: 'wasm', exposeEnginePid: true, ...options });
  service.on((name, data) => seen.push([name, data]));
  await service.start();
  return { service, seen };
}

const events = (h: Harness, name: EventName): unknown[] => h.seen.filter(([n]) => n === name).map(([, d]) => d);

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `ls-real-${prefix}-`));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the service with the real engine', () => {
  let h: Harness;
  let root: string;

  beforeAll(async () => {
    root = tempDir('root');
    h = await startService({ dataDir: tempDir('data'), allowedRoots: [root] });
    await call(h.service, 'openDataset', { source: { kind: 'mnist' } });
  });
  afterAll(async () => {
    await h?.service.stop();
  });

  it('a crash mid-training ends the run as failed, keeps the last checkpoint, and resume continues from it', async () => {
    const run = await h.service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 3, limit: 300, batchSize: 50 });
    await until(() => events(h, 'trainCheckpoint').length > 0, 'the first checkpoint');
    const pid = h.service.status().engine.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => events(h, 'engine').some((e) => (e as { restarted: boolean }).restarted), 'the restart');
    const status = h.service.status();
    expect(status.engine).toMatchObject({ state: 'ready', restarts: 1 });
    expect(status.engine.pid).not.toBe(pid);
    expect(status.training.state).toBe('failed');
    expect(status.training.error).toContain('resume to continue');
    const kept = status.training.lastCheckpointEpoch;
    expect(kept).toBeGreaterThanOrEqual(1);
    // The reloaded model is the run's last checkpoint on disk.
    expect(status.model).toMatchObject({ dir: run.dir, epochsCompleted: kept });
    expect(events(h, 'trainEnded')).toContainEqual(expect.objectContaining({ runId: run.runId, status: 'failed', epochsCompleted: kept }));

    const resumed = await h.service.trainResume(3);
    expect(resumed.dir).toBe(run.dir);
    await until(() => events(h, 'trainEnded').some((e) => (e as { status: string }).status === 'done'), 'the resumed run');
    expect(h.service.status().model).toMatchObject({ dir: run.dir, epochsCompleted: 3 });
    const manifest = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8')) as { metrics: { epoch: number }[] };
    expect(manifest.metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
  });

  it('computes the embeddings once per model and hands out the same arrays after that', async () => {
    await until(() => h.service.status().embeddingsReady, 'embeddings');
    const ready = events(h, 'embeddingsReady').length;
    const first = await call<{ count: number; mu: Float32Array }>(h.service, 'embeddings', {});
    const second = await call<{ count: number; mu: Float32Array }>(h.service, 'embeddings', {});
    expect(first.count).toBe(70000);
    expect(second.mu).toBe(first.mu);
    expect(events(h, 'embeddingsReady').length).toBe(ready);
  });

  it('writes the real points as CSV: one row per image, id, label, z0, z1, x, y, z', async () => {
    const file = join(root, 'points.csv');
    const written = await call<{ rows: number }>(h.service, 'exportPoints', { path: file });
    expect(written.rows).toBe(70000);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('id,label,z0,z1,x,y,z');
    expect(lines).toHaveLength(70001);
    const row = lines[1].split(',');
    expect(row).toHaveLength(7);
    expect(row.slice(2).every((v) => Number.isFinite(Number(v)))).toBe(true);
  });
});

it('gives up after repeated crashes of the real engine and says so', async () => {
  const h = await startService({ dataDir: tempDir('data'), maxRestarts: 1 });
  try {
    process.kill(h.service.status().engine.pid!, 'SIGKILL');
    await until(() => h.service.status().engine.state === 'ready' && h.service.status().engine.restarts === 1, 'the first restart');
    process.kill(h.service.status().engine.pid!, 'SIGKILL');
    await until(() => h.service.status().engine.state === 'failed', 'giving up');
    expect(h.service.status().engine.message).toContain('keeps stopping');
    const refused = await dispatch(h.service.handlers, 'decode', { z: new Float32Array(2) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'engine' } });
  } finally {
    await h.service.stop();
  }
});

it('a project whose image folder moved: the real folder is found again by its fingerprint, and its points come from the project', async () => {
  const root = tempDir('project-root');
  const images = join(root, 'images');
  for (const label of ['dark', 'light']) {
    mkdirSync(join(images, label), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const v = label === 'dark' ? 20 + i * 3 : 200 + i * 3;
      await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: v, g: 255 - v, b: (i * 20) % 255 } } })
        .png()
        .toFile(join(images, label, `${i}.png`));
    }
  }
  const dataDir = tempDir('data');
  const h = await startService({ dataDir, allowedRoots: [root] });
  const project = join(root, 'project');
  let fingerprint = '';
  try {
    const dataset = await call<DatasetSummary>(h.service, 'openDataset', { source: { kind: 'folder', path: images, size: 16, color: 'gray' } });
    fingerprint = dataset.fingerprint;
    expect(dataset.count).toBe(24);
    await h.service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1, batchSize: 8 });
    await until(() => h.service.status().embeddingsReady, 'embeddings');
    await call(h.service, 'projectSave', { path: project });
  } finally {
    await h.service.stop();
  }

  const moved = join(root, 'images-moved');
  renameSync(images, moved);
  const h2 = await startService({ dataDir, allowedRoots: [root] });
  try {
    const opened = await call<ProjectSummary>(h2.service, 'projectOpen', { path: project });
    expect(opened.missingFolder).toBe(images);
    expect(opened.dataset).toBeNull();
    const relocated = await call<DatasetSummary>(h2.service, 'projectRelocate', { folder: moved });
    expect(relocated).toMatchObject({ count: 24, fingerprint });
    // Same images: the project's saved points are used (no warning that they are computed again).
    await until(() => h2.service.status().embeddingsReady, 'points from the project');
    expect(
      events(h2, 'notice')
        .map((n) => (n as { message: string }).message)
        .join('\n'),
    ).not.toContain('computed again');
    expect(JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).dataset).toMatchObject({ kind: 'folder', path: moved });
  } finally {
    await h2.service.stop();
  }
});
