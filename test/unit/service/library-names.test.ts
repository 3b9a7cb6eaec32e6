/** Issue 25, item 3: a model's name says its dataset and settings, and is kept apart from its folder's id. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelNames, newModelName } from '../../../src/service/library-names';
import { parseCallInput } from '../../../src/shared/contract';

describe('newModelName', () => {
  it('names the dataset, the architecture, the latent size and how long it trains', () => {
    expect(newModelName('holiday-photos', { arch: 'conv', latentDim: 32, epochs: 500, timeBudgetSeconds: 180 })).toBe('holiday-photos · conv d32 · 3 min');
    expect(newModelName('holiday-photos', { arch: 'conv', latentDim: 32, epochs: 500, timeBudgetSeconds: 90 })).toBe('holiday-photos · conv d32 · 90 s');
    expect(newModelName('MNIST', { arch: 'mlp', latentDim: 2, epochs: 1 })).toBe('MNIST · mlp d2 · 1 epoch');
    expect(newModelName('MNIST', { arch: 'mlp', latentDim: 2, epochs: 10 })).toBe('MNIST · mlp d2 · 10 epochs');
  });

  it('is a name the rename call accepts, though no folder could have it', () => {
    const name = newModelName('holiday-photos', { arch: 'conv', latentDim: 32, epochs: 1, timeBudgetSeconds: 180 });
    expect(parseCallInput('modelRename', { id: 'run-20261206-151636-7c6858', name })).toEqual({ id: 'run-20261206-151636-7c6858', name });
    expect(() => parseCallInput('modelRename', { id: name, name })).toThrow();
  });
});

describe('ModelNames', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-names-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps names by id, and a deleted model takes its name into the trash and back', async () => {
    const names = new ModelNames(dataDir);
    expect(await names.read()).toEqual({ models: {}, trash: {} });
    await Promise.all([names.set('run-a', 'MNIST · mlp d2 · 1 epoch'), names.set('run-b', 'icons · conv d32 · 3 min')]);
    expect((await names.read()).models).toEqual({ 'run-a': 'MNIST · mlp d2 · 1 epoch', 'run-b': 'icons · conv d32 · 3 min' });
    await names.trashed('run-b', 'run-b 2');
    expect(await names.read()).toEqual({ models: { 'run-a': 'MNIST · mlp d2 · 1 epoch' }, trash: { 'run-b 2': 'icons · conv d32 · 3 min' } });
    await names.restored('run-b 2', 'run-b');
    expect((await new ModelNames(dataDir).read()).models['run-b']).toBe('icons · conv d32 · 3 min');
    expect(JSON.parse(readFileSync(join(dataDir, 'model-names.json'), 'utf8')).trash).toEqual({});
  });

  it('a damaged names file shows the ids, and the next rename keeps it aside instead of writing over it', async () => {
    writeFileSync(join(dataDir, 'model-names.json'), '{"models": 7');
    const names = new ModelNames(dataDir);
    expect(await names.read()).toEqual({ models: {}, trash: {} });
    await names.set('run-a', 'mine');
    expect((await names.read()).models).toEqual({ 'run-a': 'mine' });
    const aside = readdirSync(dataDir).filter((f) => f.startsWith('model-names.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dataDir, aside[0]), 'utf8')).toBe('{"models": 7');
  });
});
