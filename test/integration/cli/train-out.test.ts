/**
 * `latentscape train --out DIR` must never destroy what DIR held (issue 11, point 8): a file, a folder of
 * documents, or another model (here a copy of the default model with its points.bin). A model is only
 * replaced with --force, or continued with --resume; an empty or new folder is fine.
 */
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

const DEFAULT_MODEL = join(__dirname, '..', '..', '..', 'resources', 'default-model');
// A tiny, fast run: a few hundred MNIST images, one epoch of the small MLP.
const QUICK = ['--data', 'mnist', '--arch', 'mlp', '--latent', '3', '--epochs', '1', '--limit', '200', '--json'];

function train(out: string, ...extra: string[]): CliRun {
  return runCli(['train', ...QUICK, '--out', out, ...extra], { LATENTSCAPE_BACKEND: 'wasm' });
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe('latentscape train --out', () => {
  it('refuses a file and leaves it as it was', async () => {
    const file = join(dir.path, 'notes.txt');
    await writeFile(file, 'my notes');
    const r = train(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*notes\.txt is a file, not a folder/);
    expect(await readFile(file, 'utf8')).toBe('my notes');
  });

  it('refuses a folder of documents, even with --force, and leaves it as it was', async () => {
    const docs = join(dir.path, 'docs');
    await mkdir(join(docs, 'sub'), { recursive: true });
    await writeFile(join(docs, 'letter.txt'), 'dear');
    await writeFile(join(docs, 'sub', 'photo.jpg'), 'jpeg');
    for (const extra of [[], ['--force']]) {
      const r = train(docs, ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out .*docs is not empty and holds no model/);
    }
    expect((await readdir(docs)).sort()).toEqual(['letter.txt', 'sub']);
    expect(await readFile(join(docs, 'letter.txt'), 'utf8')).toBe('dear');
    expect(await readFile(join(docs, 'sub', 'photo.jpg'), 'utf8')).toBe('jpeg');
  });

  it('refuses another model without --resume or --force, keeping all of it (points.bin too)', async () => {
    const copy = join(dir.path, 'default-copy');
    await cp(DEFAULT_MODEL, copy, { recursive: true });
    const before = await Promise.all(['manifest.json', 'weights.bin', 'points.bin'].map((f) => readFile(join(copy, f))));
    const r = train(copy);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*default-copy already holds a model .*--resume.*--force/);
    const after = await Promise.all(['manifest.json', 'weights.bin', 'points.bin'].map((f) => readFile(join(copy, f))));
    after.forEach((bytes, i) => expect(Buffer.compare(bytes, before[i])).toBe(0));
  });

  it('refuses --resume together with --force', () => {
    const r = train(join(dir.path, 'whatever'), '--resume', '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume and --force/);
  });

  it('trains into an empty folder, then replaces that model only with --force', async () => {
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    const first = train(empty);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const firstManifest = await readFile(join(empty, 'manifest.json'), 'utf8');
    expect(train(empty).code).toBe(2);
    expect(await readFile(join(empty, 'manifest.json'), 'utf8')).toBe(firstManifest);
    const forced = train(empty, '--force', '--seed', '9');
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(join(empty, 'manifest.json'), 'utf8')).training.seed).toBe(9);
  }, 120_000);
});
