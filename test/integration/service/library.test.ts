/**
 * The model library with the REAL engine process (manifests read by the engine's strict parser,
 * models really loaded): listing, opening a model with its dataset and preprocessing, rename,
 * duplicate, delete + restore, the read-only default model, and ids the listing never gave.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../../src/engine/train/checkpoint';
import { recordSampleQuality } from '../../../src/engine/train/manifest-quality';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import { DEFAULT_MODEL_ID, type CallOutput, type EventName } from '../../../src/shared/contract';
import { call, refusal, tempDirs, until } from './service-calls';

const DEFAULT_MODEL = resolve('resources/default-model');

const tempDir = tempDirs('ls-lib');

type List = CallOutput<'modelsList'>;

describe('the model library (real engine)', () => {
  let service: AppService;
  const seen: [EventName, unknown][] = [];
  let dataDir: string;
  let images: string;
  let folderRun: string;
  let mnistRun: string;

  const ended = (): number => seen.filter(([n]) => n === 'trainEnded').length;
  async function trainTiny(settings: Record<string, unknown>): Promise<string> {
    const before = ended();
    const run = await call<{ dir: string }>(service, 'trainStart', { arch: 'mlp', latentDim: 2, epochs: 1, ...settings });
    await until(() => ended() > before, 'the training to end');
    return run.dir.split(/[\\/]/).pop()!;
  }

  beforeAll(async () => {
    const root = tempDir('root');
    images = join(root, 'icons');
    for (const label of ['a', 'b']) {
      mkdirSync(join(images, label), { recursive: true });
      for (let i = 0; i < 20; i++) {
        const v = (i * 12 + (label === 'a' ? 0 : 100)) % 255;
        await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: v, g: 255 - v, b: (i * 20) % 255 } } })
          .png()
          .toFile(join(images, label, `${i}.png`));
      }
    }
    dataDir = tempDir('data');
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine(), backend: 'wasm', defaultModelDir: DEFAULT_MODEL, allowedRoots: [root] });
    service.on((name, data) => seen.push([name, data]));
    await service.start();
    await call(service, 'openDataset', { source: { kind: 'folder', path: images, size: 16, color: 'rgb' } });
    folderRun = await trainTiny({});
    await call(service, 'openDataset', { source: { kind: 'mnist' } });
    mnistRun = await trainTiny({ limit: 300, batchSize: 50 });
  }, 300_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('lists the default model (read-only) and every trained model with its dataset, size, arch, d, epochs, loss and date', async () => {
    const { models, unreadable } = await call<List>(service, 'modelsList', {});
    expect(unreadable).toEqual([]);
    expect(models.map((m) => m.id)).toEqual([DEFAULT_MODEL_ID, mnistRun, folderRun]);
    const [builtin, mnist, folder] = models;
    expect(builtin).toMatchObject({ readOnly: true, open: false, height: 28, width: 28, channels: 1, dataset: { kind: 'mnist' }, fitsDataset: true });
    expect(mnist).toMatchObject({
      readOnly: false,
      open: true,
      arch: 'mlp',
      latentDim: 2,
      epochs: 1,
      height: 28,
      channels: 1,
      dataset: { name: 'MNIST', kind: 'mnist', path: null },
    });
    expect(folder).toMatchObject({ open: false, height: 16, width: 16, channels: 3, epochs: 1, fitsDataset: false, dataset: { kind: 'folder', path: images } });
    // A new model is named after its dataset and settings; its id stays the run's folder.
    expect(mnist.name).toBe('MNIST · mlp d2 · 1 epoch');
    expect(folder.name).toBe('icons · mlp d2 · 1 epoch');
    expect(folderRun).toMatch(/^run-/);
    expect(Number.isFinite(mnist.testLoss)).toBe(true);
    expect(Date.parse(mnist.date)).toBeGreaterThan(Date.parse(folder.date) - 1);
  });

  it("an app training records its model's sample distance, with progress, and the listing shows it", async () => {
    const { models } = await call<List>(service, 'modelsList', {});
    for (const id of [folderRun, mnistRun]) {
      const q = models.find((m) => m.id === id)?.sampleQuality;
      expect(q).toMatchObject({ epoch: 1, featureLabels: true });
      expect(q?.sampleFd).toBeGreaterThan(0);
      expect(q?.floorFd).toBeGreaterThanOrEqual(0);
      expect(q?.featureSpace).toMatch(/labels/);
    }
    const stages = new Set(seen.filter(([n]) => n === 'trainQuality').map(([, e]) => (e as { stage: string }).stage));
    expect([...stages]).toEqual(expect.arrayContaining(['reference', 'samples', 'floor', 'recon']));
    // The built-in model's distance is the one `prepare` recorded when it was shipped (epoch 10), not a training's.
    expect(models.find((m) => m.id === DEFAULT_MODEL_ID)?.sampleQuality).toMatchObject({ epoch: 10, featureLabels: true });
  });

  it("lists the figures `latentscape eval --record` wrote in the model's place", async () => {
    const dir = join(dataDir, 'models', folderRun);
    const record = { epoch: 1, sample_fd: 8, floor_fd: 0.26, recon_fd: 4.6, fd_n: 4, z_source: 'N(0, I)', feature_space: 'a net', feature_labels: true };
    await recordSampleQuality(dir, await readManifest(dir), record);
    const { models } = await call<List>(service, 'modelsList', {});
    expect(models.find((m) => m.id === folderRun)?.sampleQuality).toMatchObject({ sampleFd: 8, floorFd: 0.26, featureSpace: 'a net' });
  });

  it('a folder that is not a readable model is reported, not listed', async () => {
    mkdirSync(join(dataDir, 'models', 'junk'));
    writeFileSync(join(dataDir, 'models', 'junk', 'manifest.json'), '{"format":"something else"}');
    const { models, unreadable } = await call<List>(service, 'modelsList', {});
    expect(models.map((m) => m.id)).not.toContain('junk');
    expect(unreadable).toEqual([{ id: 'junk', reason: expect.stringContaining('not a Latentscape model manifest') }]);
    rmSync(join(dataDir, 'models', 'junk'), { recursive: true });
  });

  it('opening a folder model opens its folder with its preprocessing (16×16 RGB, not the 64 default)', async () => {
    const opened = await call<CallOutput<'modelOpen'>>(service, 'modelOpen', { id: folderRun });
    expect(opened).toMatchObject({ id: folderRun, dataset: 'opened', folder: { path: images, size: 16, color: 'rgb', background: 'white' } });
    const status = service.status();
    expect(status.dataset).toMatchObject({ height: 16, width: 16, channels: 3, source: { kind: 'folder', path: images } });
    expect(status.model).toMatchObject({ height: 16, channels: 3, fitsDataset: true, isDefault: false });
  });

  it('opening the default model brings MNIST back', async () => {
    const opened = await call<CallOutput<'modelOpen'>>(service, 'modelOpen', { id: DEFAULT_MODEL_ID });
    expect(opened.dataset).toBe('opened');
    const status = service.status();
    expect(status.dataset?.name).toBe('MNIST');
    expect(status.model).toMatchObject({ isDefault: true, fitsDataset: true, dir: DEFAULT_MODEL });
  });

  it('the default model cannot be renamed or deleted, and an open model is not deleted under it but can be renamed', async () => {
    expect((await refusal(service, 'modelRename', { id: DEFAULT_MODEL_ID, name: 'mine' })).code).toBe('bad-arguments');
    expect((await refusal(service, 'modelDelete', { id: DEFAULT_MODEL_ID })).code).toBe('bad-arguments');
    await call(service, 'modelOpen', { id: mnistRun });
    expect(await refusal(service, 'modelDelete', { id: mnistRun })).toMatchObject({ code: 'busy', message: expect.stringContaining('open another model') });
    // A rename changes the name shown, not the folder: the open model stays open, under its id.
    expect(await call(service, 'modelRename', { id: mnistRun, name: 'digits · mlp d2' })).toEqual({ id: mnistRun });
    expect(service.status().model?.dir).toBe(join(dataDir, 'models', mnistRun));
    expect((await call<List>(service, 'modelsList', {})).models.find((m) => m.id === mnistRun)).toMatchObject({ name: 'digits · mlp d2', open: true });
    await call(service, 'modelOpen', { id: DEFAULT_MODEL_ID });
    expect(existsSync(join(DEFAULT_MODEL, 'manifest.json'))).toBe(true);
  });

  it('refuses ids the listing never gave: unknown names, paths, traversal', async () => {
    expect((await refusal(service, 'modelOpen', { id: 'no-such-model' })).code).toBe('unknown-model');
    expect((await refusal(service, 'modelDuplicate', { id: 'no-such-model' })).code).toBe('unknown-model');
    expect((await refusal(service, 'modelRestore', { trashId: 'no-such-model' })).code).toBe('unknown-model');
    for (const id of ['../models', '/etc', '..', '.hidden', 'a/b', 'a\\b', DEFAULT_MODEL]) {
      expect((await refusal(service, 'modelOpen', { id })).code).toBe('bad-arguments');
    }
    // A name is one line of text (it never becomes a path).
    expect((await refusal(service, 'modelRename', { id: folderRun, name: 'two\nlines' })).code).toBe('bad-arguments');
    expect((await refusal(service, 'modelRename', { id: folderRun, name: '  ' })).code).toBe('bad-arguments');
  });

  it('renames, duplicates, deletes into the trash and restores', async () => {
    const renamed = await call<{ id: string }>(service, 'modelRename', { id: folderRun, name: 'icons · 16 px' });
    expect(renamed.id).toBe(folderRun);
    expect(existsSync(join(dataDir, 'models', folderRun))).toBe(true);

    const copy = await call<{ id: string }>(service, 'modelDuplicate', { id: folderRun });
    expect(copy.id).toBe(`${folderRun} copy`);
    let list = await call<List>(service, 'modelsList', {});
    expect(list.models.find((m) => m.id === copy.id)).toMatchObject({ name: 'icons · 16 px copy', height: 16, channels: 3, epochs: 1 });

    const { trashId } = await call<{ trashId: string }>(service, 'modelDelete', { id: copy.id });
    expect(existsSync(join(dataDir, 'trash', trashId, 'manifest.json'))).toBe(true);
    list = await call<List>(service, 'modelsList', {});
    expect(list.models.map((m) => m.id)).not.toContain(copy.id);

    // Its name comes back with it.
    const restored = await call<{ id: string }>(service, 'modelRestore', { trashId });
    expect(restored.id).toBe(copy.id);
    list = await call<List>(service, 'modelsList', {});
    expect(list.models.find((m) => m.id === copy.id)).toMatchObject({ name: 'icons · 16 px copy' });
    // The restored model really loads.
    await call(service, 'modelOpen', { id: copy.id });
    expect(service.status().model).toMatchObject({ height: 16, channels: 3 });
  });

  it('a folder model whose folder is not an allowed place is not read: the page is asked for it', async () => {
    const other = new AppService({ dataDir, spawnEngine: () => forkNodeEngine(), backend: 'wasm', defaultModelDir: DEFAULT_MODEL });
    try {
      await other.start();
      const opened = await call<CallOutput<'modelOpen'>>(other, 'modelOpen', { id: folderRun });
      expect(opened).toMatchObject({ dataset: 'needs-folder', folder: { path: images, size: 16, color: 'rgb' } });
      expect(other.status().dataset?.name).toBe('MNIST');
    } finally {
      await other.stop();
    }
  });
});
