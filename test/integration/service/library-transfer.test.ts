/**
 * The model library's sample strips, import, export and trash, with the REAL engine process: strips
 * decoded by a model loaded on the side (stable, fresh after a retrain, the open model untouched,
 * nothing written into model folders); imports checked by the engine's strict parser before anything
 * is copied, links not followed, sources only read; exports into a new folder only; the trash emptied
 * only of what its listing gave.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { Vae, makeConfig } from '../../../src/engine/model/vae';
import { saveModel } from '../../../src/engine/train/checkpoint';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import { DEFAULT_MODEL_ID, MAX_MODEL_FOLDER_BYTES, type CallOutput, type Images } from '../../../src/shared/contract';
import { call, refusal, tempDirs } from './service-calls';

const DEFAULT_MODEL = resolve('resources/default-model');
const tempDir = tempDirs('ls-libx');

type Samples = CallOutput<'modelSamples'>;
const same = (a: Images, b: Images): boolean => Buffer.from(a.pixels).equals(Buffer.from(b.pixels));

/** Every file under `dir` with its size and modification time (to show a folder was not written). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(join(dir, name));
    out[name] = `${s.size}@${s.mtimeMs}`;
  }
  return out;
}

/** A small 16×16 RGB model saved by the engine's own checkpoint code, seeded so two seeds give two models. */
async function saveColourModel(dir: string, seed: number): Promise<void> {
  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3, height: 16, channels: 3, hidden: 32 }), seed);
  await saveModel(dir, vae, { epochsCompleted: 1 });
  vae.dispose();
}

describe('the library’s strips, import, export and trash (real engine)', () => {
  let service: AppService;
  let dataDir: string;
  let root: string;
  const models = (): string => join(dataDir, 'models');
  const ids = async (): Promise<string[]> => (await call<CallOutput<'modelsList'>>(service, 'modelsList', {})).models.map((m) => m.id);

  beforeAll(async () => {
    await initBackend('wasm'); // this process saves the test models
    root = tempDir('root');
    dataDir = tempDir('data');
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine(), backend: 'wasm', defaultModelDir: DEFAULT_MODEL, allowedRoots: [root] });
    await service.start();
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('a strip is 8 images of the model’s shape, the same each time, and leaves the open model and the default model’s folder alone', async () => {
    const before = snapshot(DEFAULT_MODEL);
    const open = service.status().model?.dir;
    const a = await call<Samples>(service, 'modelSamples', { id: DEFAULT_MODEL_ID });
    expect(a.id).toBe(DEFAULT_MODEL_ID);
    expect(a.images).toMatchObject({ count: 8, height: 28, width: 28, channels: 1 });
    expect(a.images.pixels.length).toBe(8 * 28 * 28);
    const b = await call<Samples>(service, 'modelSamples', { id: DEFAULT_MODEL_ID });
    expect(same(a.images, b.images)).toBe(true);
    const sixteen = await call<Samples>(service, 'modelSamples', { id: DEFAULT_MODEL_ID, count: 16 });
    expect(sixteen.images.count).toBe(16);
    // The first 8 of 16 are the same draws of z as the strip of 8.
    expect(Buffer.from(sixteen.images.pixels.subarray(0, 8 * 28 * 28)).equals(Buffer.from(a.images.pixels))).toBe(true);
    expect((await refusal(service, 'modelSamples', { id: DEFAULT_MODEL_ID, count: 17 })).code).toBe('bad-arguments');
    expect((await refusal(service, 'modelSamples', { id: 'no-such-model' })).code).toBe('unknown-model');
    expect((await refusal(service, 'modelSamples', { id: '../models' })).code).toBe('bad-arguments');
    expect(service.status().model?.dir).toBe(open);
    expect(snapshot(DEFAULT_MODEL)).toEqual(before);
  });

  it('a retrained model gets a fresh strip; a renamed one still has one; a broken one says why', async () => {
    await saveColourModel(join(models(), 'colour'), 1);
    const first = await call<Samples>(service, 'modelSamples', { id: 'colour' });
    expect(first.images).toMatchObject({ count: 8, height: 16, width: 16, channels: 3 });
    const files = snapshot(join(models(), 'colour'));
    await new Promise((r) => setTimeout(r, 5)); // a later updatedAt
    await saveColourModel(join(models(), 'colour'), 2);
    const retrained = await call<Samples>(service, 'modelSamples', { id: 'colour' });
    expect(same(first.images, retrained.images)).toBe(false);
    const again = await call<Samples>(service, 'modelSamples', { id: 'colour' });
    expect(same(again.images, retrained.images)).toBe(true);
    expect(Object.keys(snapshot(join(models(), 'colour')))).toEqual(Object.keys(files));
    // A rename changes the name shown, not the folder: the id, and so the strip, stay.
    const { id } = await call<{ id: string }>(service, 'modelRename', { id: 'colour', name: 'colour two' });
    expect(id).toBe('colour');
    const renamed = await call<Samples>(service, 'modelSamples', { id });
    expect(same(renamed.images, retrained.images)).toBe(true);

    await saveColourModel(join(models(), 'broken'), 3);
    truncateSync(join(models(), 'broken', 'weights.bin'), 10);
    const error = await refusal(service, 'modelSamples', { id: 'broken' });
    expect(error.message).toMatch(/weights/);
  });

  it('imports a model folder: checked first, copied without links, the source untouched, a taken name gets a free one', async () => {
    const friend = join(root, 'friend');
    cpSync(DEFAULT_MODEL, friend, { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'not for the library');
    symlinkSync(join(root, 'secret.txt'), join(friend, 'link.txt'));
    const before = snapshot(friend);
    const first = await call<CallOutput<'modelImport'>>(service, 'modelImport', { path: friend });
    expect(first).toEqual({ id: 'friend', renamed: false });
    expect(existsSync(join(models(), 'friend', 'link.txt'))).toBe(false);
    expect(readFileSync(join(models(), 'friend', 'weights.bin')).equals(readFileSync(join(DEFAULT_MODEL, 'weights.bin')))).toBe(true);
    const second = await call<CallOutput<'modelImport'>>(service, 'modelImport', { path: friend });
    expect(second).toEqual({ id: 'friend 2', renamed: true });
    expect(await ids()).toEqual(expect.arrayContaining(['friend', 'friend 2']));
    expect(snapshot(friend)).toEqual(before);
    // The imported model really opens.
    await call(service, 'modelOpen', { id: 'friend 2' });
    expect(service.status().model?.dir).toBe(join(models(), 'friend 2'));
    await call(service, 'modelOpen', { id: DEFAULT_MODEL_ID });
  });

  it('refuses to import what is not a model, a broken manifest, a too-large folder and a place not chosen, copying nothing', async () => {
    const listed = readdirSync(models()).sort();
    mkdirSync(join(root, 'pictures'));
    expect(await refusal(service, 'modelImport', { path: join(root, 'pictures') })).toMatchObject({
      code: 'not-a-model',
      message: expect.stringContaining('no manifest.json'),
    });
    expect((await refusal(service, 'modelImport', { path: join(root, 'secret.txt') })).code).toBe('not-a-model');
    mkdirSync(join(root, 'odd'));
    writeFileSync(join(root, 'odd', 'manifest.json'), '{"format":"latentscape-model"');
    expect(await refusal(service, 'modelImport', { path: join(root, 'odd') })).toMatchObject({
      code: 'bad-model',
      message: expect.stringContaining('cannot be read'),
    });
    const big = join(root, 'big');
    cpSync(DEFAULT_MODEL, big, { recursive: true });
    writeFileSync(join(big, 'points-extra.bin'), '');
    truncateSync(join(big, 'points-extra.bin'), MAX_MODEL_FOLDER_BYTES + 1); // sparse: no disk used
    expect(await refusal(service, 'modelImport', { path: big })).toMatchObject({ code: 'too-large', message: expect.stringContaining('MB') });
    const outside = tempDir('outside');
    cpSync(DEFAULT_MODEL, join(outside, 'm'), { recursive: true });
    expect((await refusal(service, 'modelImport', { path: join(outside, 'm') })).code).toBe('path-not-allowed');
    // A folder that holds the library (the data dir is an allowed place) is not copied into itself.
    cpSync(join(DEFAULT_MODEL, 'manifest.json'), join(dataDir, 'manifest.json'));
    expect((await refusal(service, 'modelImport', { path: dataDir })).code).toBe('forbidden');
    rmSync(join(dataDir, 'manifest.json'));
    // Nothing was copied, not even a hidden temporary folder.
    expect(readdirSync(models()).sort()).toEqual(listed);
  });

  it('exports into a new folder named after the model, never into an existing one; the export imports again', async () => {
    const out = join(root, 'out');
    mkdirSync(join(out, 'friend'), { recursive: true });
    writeFileSync(join(out, 'friend', 'notes.txt'), 'mine');
    const a = await call<CallOutput<'modelExport'>>(service, 'modelExport', { id: 'friend', parent: out });
    expect(a.path).toBe(join(out, 'friend 2'));
    expect(readdirSync(join(out, 'friend'))).toEqual(['notes.txt']);
    expect(readdirSync(a.path).sort()).toEqual(readdirSync(join(models(), 'friend')).sort());
    const builtin = await call<CallOutput<'modelExport'>>(service, 'modelExport', { id: DEFAULT_MODEL_ID, parent: out });
    expect(builtin.path).toBe(join(out, 'default-model'));
    const again = await call<CallOutput<'modelExport'>>(service, 'modelExport', { id: DEFAULT_MODEL_ID, parent: out });
    expect(again.path).toBe(join(out, 'default-model 2'));
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
    const back = await call<CallOutput<'modelImport'>>(service, 'modelImport', { path: builtin.path });
    expect(back.id).toBe('default-model');
    expect((await refusal(service, 'modelExport', { id: DEFAULT_MODEL_ID, parent: tempDir('elsewhere') })).code).toBe('path-not-allowed');
    expect((await refusal(service, 'modelExport', { id: DEFAULT_MODEL_ID, parent: join(root, 'secret.txt') })).code).toBe('not-a-folder');
    expect((await refusal(service, 'modelExport', { id: 'no-such-model', parent: out })).code).toBe('unknown-model');
  });

  it('lists the trash, restores from it, and empties only the entries the listing gave (never a link)', async () => {
    const outsideDir = tempDir('victim');
    writeFileSync(join(outsideDir, 'keep.txt'), 'keep');
    await call(service, 'modelDelete', { id: 'friend' });
    await new Promise((r) => setTimeout(r, 20));
    await call(service, 'modelDelete', { id: 'friend 2' });
    symlinkSync(outsideDir, join(dataDir, 'trash', 'evil'));
    writeFileSync(join(dataDir, 'trash', 'plain-file'), 'x');
    const list = await call<CallOutput<'trashList'>>(service, 'trashList', {});
    expect(list.models.map((m) => m.trashId)).toEqual(['friend 2', 'friend']);
    expect(Number.isNaN(Date.parse(list.models[0].deletedAt))).toBe(false);

    expect((await refusal(service, 'trashEmpty', { trashIds: ['evil'] })).code).toBe('unknown-model');
    expect((await refusal(service, 'trashEmpty', { trashIds: ['../models'] })).code).toBe('bad-arguments');
    expect((await refusal(service, 'trashEmpty', { trashIds: ['friend', 'colour two'] })).code).toBe('unknown-model');
    expect(existsSync(join(dataDir, 'trash', 'friend'))).toBe(true); // a refusal removes nothing

    await call(service, 'modelRestore', { trashId: 'friend' });
    const emptied = await call<CallOutput<'trashEmpty'>>(service, 'trashEmpty', { trashIds: ['friend', 'friend 2'] });
    expect(emptied.removed).toEqual(['friend 2']); // 'friend' was restored meanwhile
    expect(await ids()).toContain('friend');
    expect(readdirSync(join(dataDir, 'trash')).sort()).toEqual(['evil', 'plain-file']);
    expect(readFileSync(join(outsideDir, 'keep.txt'), 'utf8')).toBe('keep');
    expect((await call<CallOutput<'trashList'>>(service, 'trashList', {})).models).toEqual([]);
    // An id emptied once is not accepted again without a new listing.
    expect((await refusal(service, 'trashEmpty', { trashIds: ['friend 2'] })).code).toBe('unknown-model');
  });
});
