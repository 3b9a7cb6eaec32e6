/** The service with a fake engine, as the project tests drive it: calls, refusals, a trained model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dispatch } from '../../../src/service/dispatch';
import { AppService } from '../../../src/service/service';
import type { DatasetSource, EventName, PathDoc, ProjectView } from '../../../src/shared/contract';
import { FakeEngine } from './fake-engine';

export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const PATH: PathDoc = {
  latentDim: 2,
  keyframes: new Float32Array([0.25, -1.5, 1, 2, -0.125, 0.5]),
  sources: [{ index: 3, label: '1' }, null, { index: 4 }],
  segments: ['linear', 'spherical'],
  frames: 48,
  easing: 'ease-in-out',
  loop: 'ping-pong',
  spacing: 'equal',
  fps: 24,
};
export const VIEW: ProjectView = { camera: { position: [1.5, -2, 7.25], target: [0.1, 0.2, -0.3], up: [0, 1, 0] }, paths: [PATH], activePath: 0 };

export interface Harness {
  service: AppService;
  engines: FakeEngine[];
  seen: [EventName, unknown][];
}

export async function startService(dataDir: string, allowed: string[]): Promise<Harness> {
  const engines: FakeEngine[] = [];
  const seen: [EventName, unknown][] = [];
  const service = new AppService({
    dataDir,
    allowedRoots: allowed,
    spawnEngine: () => {
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
  });
  service.on((name, data) => seen.push([name, data]));
  await service.start();
  return { service, engines, seen };
}

export async function call<T>(service: AppService, name: Parameters<typeof dispatch>[1], args: unknown): Promise<T> {
  const r = await dispatch(service.handlers, name, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

export async function refusal(service: AppService, name: Parameters<typeof dispatch>[1], args: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(service.handlers, name, args);
  if (r.ok) throw new Error(`${String(name)} succeeded`);
  return r.error;
}

/** A trained model of `source` (MNIST unless told): the fake trains one epoch; the run folder gets weights to hash. */
export async function trainModel(h: Harness, source: DatasetSource = { kind: 'mnist' }): Promise<{ dir: string; hash: string }> {
  await call(h.service, 'openDataset', { source });
  await h.service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 });
  const engine = h.engines.at(-1)!;
  await until(() => engine.trainRequest !== null, 'train request');
  const dir = String((engine.trainRequest!.args as { dir: string }).dir);
  engine.checkpoint(1);
  const weights = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7) % 256));
  writeFileSync(join(dir, 'weights.bin'), weights);
  engine.finishTraining(1);
  await until(() => h.service.status().embeddingsReady, 'embeddings');
  return { dir, hash: createHash('sha256').update(weights).digest('hex') };
}

/** The fake engine loads a model folder only once told it holds a checkpoint. */
export function registerProjectModel(project: string): string {
  const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as { model: string };
  FakeEngine.checkpoints.set(join(project, file.model), 1);
  return join(project, file.model);
}
