/**
 * Nothing is lost (issue 11): autosave writes only the view of the project the user opened or saved
 * — opening another dataset or training another model closes the project untouched — and a
 * cancelled training keeps the model that was open, its partial run left in data/models.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppService } from '../../../src/service/service';
import type { EventName, ProjectView } from '../../../src/shared/contract';
import type { FakeEngine } from './fake-engine';
import { call, startService, until } from './project-harness';

const VIEW: ProjectView = { camera: { position: [1, 2, 3], target: [0, 0, 0], up: [0, 1, 0] }, paths: [], activePath: null };
const MOVED: ProjectView = { ...VIEW, camera: { position: [4, 5, 6], target: [0, 0, 0], up: [0, 1, 0] } };

describe('nothing is lost', () => {
  let dataDir: string;
  let root: string;
  let service: AppService;
  let engines: FakeEngine[];
  let seen: [EventName, unknown][];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-lost-data-'));
    root = mkdtempSync(join(tmpdir(), 'ls-lost-root-'));
    ({ service, engines, seen } = await startService(dataDir, [root]));
  });
  afterEach(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  /** Trains a model of `epochs` epochs (the fake writes a checkpoint each) and returns its folder. */
  async function train(epochs: number, end: 'finish' | 'cancel' = 'finish'): Promise<string> {
    await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 3 });
    const engine = engines.at(-1)!;
    await until(() => engine.trainRequest !== null, 'train request');
    const dir = String((engine.trainRequest!.args as { dir: string }).dir);
    for (let e = 1; e <= epochs; e++) engine.checkpoint(e);
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(dir));
    if (end === 'cancel') await call(service, 'trainCancel', {});
    engine.finishTraining(epochs, end === 'cancel');
    await until(() => !['running', 'cancelling'].includes(service.status().training.state), 'the end of training');
    return dir;
  }

  async function savedProject(): Promise<{ project: string; json: string; files: string[] }> {
    await call(service, 'openDataset', { source: { kind: 'mnist' } });
    await train(1);
    await until(() => service.status().embeddingsReady, 'embeddings');
    const project = join(root, 'p');
    await call(service, 'projectSave', { path: project, view: VIEW });
    return { project, json: readFileSync(join(project, 'project.json'), 'utf8'), files: readdirSync(project).sort() };
  }

  it('opening another dataset closes the project as saved: autosave writes nothing into it', async () => {
    const { project, json, files } = await savedProject();
    // The view alone is autosaved into the open project.
    const first = await call<{ saved: boolean }>(service, 'projectUpdate', { view: MOVED, autosave: true });
    expect(first.saved).toBe(true);
    const withView = readFileSync(join(project, 'project.json'), 'utf8');
    expect(JSON.parse(withView).view.camera).toEqual(MOVED.camera);
    expect(JSON.parse(withView).dataset).toEqual(JSON.parse(json).dataset);

    const images = join(root, 'images');
    mkdirSync(images);
    await call(service, 'openDataset', { source: { kind: 'folder', path: images } });
    expect(service.status().project).toBeNull();
    expect(seen.find(([n]) => n === 'projectClosed')?.[1]).toEqual({ path: project, reason: 'another dataset was opened' });
    const after = await call<{ saved: boolean }>(service, 'projectUpdate', { view: VIEW, autosave: true });
    expect(after.saved).toBe(false);
    expect(readFileSync(join(project, 'project.json'), 'utf8')).toBe(withView);
    expect(readdirSync(project).sort()).toEqual(files);
  });

  it('a new model trained inside a project closes it: the project keeps its model and points', async () => {
    const { project, files } = await savedProject();
    const json = readFileSync(join(project, 'project.json'), 'utf8');
    await train(1);
    expect(service.status().project).toBeNull();
    expect(seen.find(([n]) => n === 'projectClosed')?.[1]).toEqual({ path: project, reason: 'another model was opened' });
    await call(service, 'projectUpdate', { view: MOVED, autosave: true });
    expect(readFileSync(join(project, 'project.json'), 'utf8')).toBe(json);
    expect(readdirSync(project).sort()).toEqual(files);
  });

  it('a cancelled training keeps the model that was open; the partial run stays in data/models', async () => {
    await call(service, 'openDataset', { source: { kind: 'mnist' } });
    const first = await train(2);
    expect(service.status().model?.dir).toBe(first);
    const partial = await train(1, 'cancel');
    expect(partial).not.toBe(first);
    expect(service.status().training.state).toBe('cancelled');
    await until(() => service.status().model?.dir === first, 'the previous model open again');
    expect(service.status().model?.epochsCompleted).toBe(2);
    // The engine holds it again too (it loaded the partial run at the end of training).
    const loads = engines
      .at(-1)!
      .received.filter((m) => m.op === 'loadModel')
      .map((m) => (m.args as { dir: string }).dir);
    expect(loads.at(-1)).toBe(first);
    expect(readdirSync(join(dataDir, 'models')).sort()).toEqual([first, partial].map((d) => d.split('/').at(-1)).sort());
    expect(JSON.parse(readFileSync(join(partial, 'manifest.json'), 'utf8'))).toEqual({ epoch: 1 });
    expect(seen.some(([n, d]) => n === 'notice' && String((d as { message: string }).message).includes(partial))).toBe(true);
  });
});
