/**
 * Selections out (issue 27): the selected images' files copied byte for byte into a NEW folder the user
 * chose, subfolders kept; or listed as CSV/JSON. An existing folder or file is refused and nothing is
 * written anywhere; a link put in place of an image is not followed.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllowedPaths } from '../../../src/service/allowed-paths';
import type { EngineSupervisor } from '../../../src/service/engine-supervisor';
import { SelectionExport } from '../../../src/service/selection-export';
import type { Workspace } from '../../../src/service/workspace';
import { parseCallInput } from '../../../src/shared/contract';

const FILES = ['cats/a.png', 'dogs/b.jpg', 'top.png', 'dogs/c.png'];

let root: string;
let images: string;
let out: string;

/** Bytes that differ per file (the copies are compared byte for byte). */
const bytesOf = (file: string): Buffer => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + file.length * 7 + file.charCodeAt(0)) % 256));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ls-selection-export-'));
  images = join(root, 'images');
  out = join(root, 'out');
  await mkdir(out);
  for (const f of FILES) {
    await mkdir(join(images, f, '..'), { recursive: true });
    await writeFile(join(images, f), bytesOf(f));
  }
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Progress events the export sent; `onProgress` runs on each (a test cancels from it). */
let progress: unknown[] = [];
let onProgress: (() => void) | null = null;

async function exporter(source: { kind: 'folder'; path: string } | { kind: 'mnist' } = { kind: 'folder', path: images }): Promise<SelectionExport> {
  const paths = new AllowedPaths('choose it first');
  await paths.add(images);
  await paths.add(out);
  const engine = { request: async (op: string) => (op === 'datasetFiles' ? { files: source.kind === 'folder' ? FILES : null } : null) };
  const workspace = { datasetSource: source };
  progress = [];
  onProgress = null;
  const events = {
    emit: (name: string, data: unknown) => {
      if (name !== 'selectionExportProgress') return;
      progress.push(data);
      onProgress?.();
    },
  };
  return new SelectionExport(paths, engine as unknown as EngineSupervisor, workspace as unknown as Workspace, events);
}

/** Every entry under `dir`, relative, sorted (hidden ones too). */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('selectionExport: copies', () => {
  it('copies the selected files byte for byte into the new folder, keeping their subfolders', async () => {
    const target = join(out, 'chosen');
    const done = await (await exporter()).export({ kind: 'files', path: target, ids: Int32Array.from([1, 2, 3, 1]) });
    expect(done).toEqual({ kind: 'files', path: target, files: 3, bytes: 3 * 3000 });
    expect(await tree(target)).toEqual(['dogs', 'dogs/b.jpg', 'dogs/c.png', 'top.png']);
    for (const f of ['dogs/b.jpg', 'top.png', 'dogs/c.png']) expect((await readFile(join(target, f))).equals(bytesOf(f))).toBe(true);
    // Nothing else appeared beside it (the temp stage was renamed away).
    expect(await readdir(out)).toEqual(['chosen']);
    // Progress: the first file and the last, at least.
    expect(progress.at(0)).toEqual({ done: 1, total: 3 });
    expect(progress.at(-1)).toEqual({ done: 3, total: 3 });
  });

  it('a cancel during the copy deletes what was copied: nothing is written', async () => {
    const ex = await exporter();
    onProgress = () => expect(ex.cancel()).toEqual({ cancelled: true });
    await expect(ex.export({ kind: 'files', path: join(out, 'stopped'), ids: Int32Array.from([0, 1, 2, 3]) })).rejects.toThrow(
      'the selection export was cancelled: nothing was written',
    );
    expect(progress).toEqual([{ done: 1, total: 4 }]);
    expect(await readdir(out)).toEqual([]);
    // Nothing left running: a cancel now has nothing to stop, and the next export runs.
    expect(ex.cancel()).toEqual({ cancelled: false });
    onProgress = null;
    await ex.export({ kind: 'files', path: join(out, 'again'), ids: Int32Array.from([0]) });
    expect(await tree(join(out, 'again'))).toEqual(['cats', 'cats/a.png']);
  });

  it('refuses an existing folder, and writes nothing', async () => {
    const target = join(out, 'taken');
    await mkdir(target);
    await writeFile(join(target, 'mine.txt'), 'keep me');
    const before = await tree(out);
    await expect((await exporter()).export({ kind: 'files', path: target, ids: Int32Array.from([0, 1]) })).rejects.toThrow(
      `"${target}" already exists: choose the name of a new folder; nothing was written`,
    );
    expect(await tree(out)).toEqual(before);
    expect(await readFile(join(target, 'mine.txt'), 'utf8')).toBe('keep me');
  });

  it('does not follow a link put in place of an image, and leaves nothing behind', async () => {
    await rm(join(images, 'top.png'));
    await writeFile(join(root, 'secret.txt'), 'outside');
    await symlink(join(root, 'secret.txt'), join(images, 'top.png'));
    await expect((await exporter()).export({ kind: 'files', path: join(out, 'new'), ids: Int32Array.from([0, 2]) })).rejects.toThrow(
      '"top.png" is no longer a regular file in the image folder: nothing was written',
    );
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a place outside the chosen folders, an index outside the dataset, and MNIST', async () => {
    const ex = await exporter();
    await expect(ex.export({ kind: 'files', path: join(root, 'elsewhere'), ids: Int32Array.from([0]) })).rejects.toThrow(/outside the folders you chose/);
    await expect(ex.export({ kind: 'files', path: join(out, 'x'), ids: Int32Array.from([4]) })).rejects.toThrow(
      'image 4 is not in the dataset (it has 4 images)',
    );
    await expect(ex.export({ kind: 'files', path: join(images, 'inside'), ids: Int32Array.from([0]) })).rejects.toThrow(/cannot go inside the image folder/);
    await expect((await exporter({ kind: 'mnist' })).export({ kind: 'csv', path: join(out, 'l.csv'), ids: Int32Array.from([0]) })).rejects.toThrow(
      /MNIST has no image files to export/,
    );
    expect(await readdir(out)).toEqual([]);
  });
});

describe('selectionExport: lists', () => {
  it('writes the files and their labels as CSV and as JSON', async () => {
    const ex = await exporter();
    const csv = join(out, 'list.csv');
    expect(await ex.export({ kind: 'csv', path: csv, ids: Int32Array.from([0, 2]) })).toMatchObject({ kind: 'csv', files: 2 });
    expect(await readFile(csv, 'utf8')).toBe('index,file,label\n0,cats/a.png,cats\n2,top.png,\n');
    const json = join(out, 'list.json');
    await ex.export({ kind: 'json', path: json, ids: Int32Array.from([3]) });
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual({
      folder: expect.stringMatching(/images$/),
      images: [{ index: 3, file: 'dogs/c.png', label: 'dogs' }],
    });
  });

  it('refuses an existing file and leaves it as it was', async () => {
    const csv = join(out, 'list.csv');
    await writeFile(csv, 'mine');
    await expect((await exporter()).export({ kind: 'csv', path: csv, ids: Int32Array.from([0]) })).rejects.toThrow(
      /already exists: choose a new file name; nothing was written/,
    );
    expect(await readFile(csv, 'utf8')).toBe('mine');
  });
});

describe('encodeImage: the bytes are bounded before anything else', () => {
  it('a file over the limit is refused by the contract, saying the limit', () => {
    expect(() => parseCallInput('encodeImage', { name: 'big.jpg', bytes: new Uint8Array(5 * 1024 * 1024 + 1) })).toThrow(
      'encodeImage: invalid arguments: bytes: the image file is larger than 5 MB',
    );
    expect(parseCallInput('encodeImage', { name: 'ok.png', bytes: new Uint8Array(10) }).name).toBe('ok.png');
  });
});
