/**
 * The ingest cache's temps left by a writer killed mid-write (`<file>.tmp-<pid>-<hex>`): the next write of that
 * cache file removes the ones whose writer no longer runs and that are an hour old, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, writeCache } from '../../../../src/engine/data/ingest/cache';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('writeCache and the temps of killed writers', () => {
  it('removes only its own file’s temps whose writer is gone and that are an hour old', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latentscape-cache-temps-'));
    made.push(dir);
    const path = join(dir, 'c.bin');
    // A pid that ran and has exited.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    const temps = {
      deadOld: `c.bin.tmp-${gone}-aaaaaaaa`,
      deadFresh: `c.bin.tmp-${gone}-bbbbbbbb`,
      mineOld: `c.bin.tmp-${process.pid}-cccccccc`,
      parentOld: `c.bin.tmp-${process.ppid}-dddddddd`,
      otherFileOld: `other.bin.tmp-${gone}-eeeeeeee`,
      notOurNameOld: `c.bin.tmp-${gone}-not-ours`,
    };
    for (const [key, name] of Object.entries(temps)) {
      await writeFile(join(dir, name), 'half a cache');
      if (key.endsWith('Old')) await utimes(join(dir, name), old, old);
    }
    const folderOld = `c.bin.tmp-${gone}-ffffffff`;
    await mkdir(join(dir, folderOld));
    await utimes(join(dir, folderOld), old, old);

    const fields = { settings: 's', root: '/r', count: 1, imageBytes: 4, thumbBytes: 0, records: [] };
    expect(await writeCache(path, fields, new Uint8Array([1, 2, 3, 4]), null)).toBeNull();

    const left = new Set(await readdir(dir));
    expect(left.has(temps.deadOld)).toBe(false);
    for (const kept of [temps.deadFresh, temps.mineOld, temps.parentOld, temps.otherFileOld, temps.notOurNameOld, folderOld, 'c.bin'])
      expect(left.has(kept), kept).toBe(true);
    expect(left.size).toBe(7);
  });
});
