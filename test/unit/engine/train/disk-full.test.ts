/**
 * A full disk, injected (node:fs/promises' writes fail with ENOSPC while `full` is set): the checkpoint,
 * an atomic file write and the ingest cache say "the disk is full: … needs N MB at PATH", and nothing
 * that was there before is lost.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { writeCache } from '../../../../src/engine/data/ingest/cache';
import { DiskFullError, writeFileAtomic } from '../../../../src/node/files';
import { tempDir, useTestBackend } from '../../helpers';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  return {
    ...real,
    writeFile: (...args: Parameters<typeof real.writeFile>) => (disk.full ? Promise.reject(enospc()) : real.writeFile(...args)),
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (!disk.full || args[1] !== 'w') return handle;
      // The file is created, then its first write finds no room.
      return Object.assign(Object.create(Object.getPrototypeOf(handle) as object), handle, {
        write: () => Promise.reject(enospc()),
        close: () => handle.close(),
      }) as typeof handle;
    },
  };
});

beforeAll(useTestBackend);

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  disk.full = false;
  await dir.cleanup();
});

describe('a full disk', () => {
  it('fails a checkpoint with the room it needs and where, keeping the previous model and no temp', async () => {
    const model = join(dir.path, 'model');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 1);
    await saveModel(model, vae, { epochsCompleted: 1 });
    disk.full = true;
    const failure = saveModel(model, vae, { epochsCompleted: 2 });
    await expect(failure).rejects.toBeInstanceOf(DiskFullError);
    await expect(failure).rejects.toThrow(new RegExp(`^the disk is full: the checkpoint needs \\d+(\\.\\d)? MB at ${dir.path}`));
    disk.full = false;
    vae.dispose();
    expect((await readManifest(model)).epochsCompleted).toBe(1);
    expect(await readdir(dir.path)).toEqual(['model']);
  });

  it('fails an atomic file write with the room it needs, keeping the previous file', async () => {
    const file = join(dir.path, 'points.csv');
    await writeFileAtomic(file, 'old');
    disk.full = true;
    await expect(writeFileAtomic(file, 'x'.repeat(3_000_000))).rejects.toThrow(`the disk is full: points.csv needs 3 MB at ${dir.path}`);
    disk.full = false;
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir.path)).toEqual(['points.csv']);
  });

  it('makes the ingest cache say why it was not written (and leave no temp)', async () => {
    const path = join(dir.path, 'cache', 'c.bin');
    const fields = { settings: 's', root: '/r', count: 1, imageBytes: 4, thumbBytes: 0, records: [] };
    expect(await writeCache(path, fields, new Uint8Array(4), null)).toBeNull();
    disk.full = true;
    expect(await writeCache(path, fields, new Uint8Array(4), null)).toMatch(
      /^the ingest cache was not written .*the disk is full: the ingest cache needs 0\.1 MB at /,
    );
    disk.full = false;
    expect(await readdir(join(dir.path, 'cache'))).toEqual(['c.bin']);
  });
});
