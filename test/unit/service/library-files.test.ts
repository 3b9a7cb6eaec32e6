import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanModelFolder } from '../../../src/service/library-files';

describe('library-files: what a model folder copy takes', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("leaves out the hidden stages of writes in progress (the engine caching the model's points meanwhile)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-libfiles-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'manifest.json'), '{}');
    writeFileSync(join(dir, 'weights.bin'), 'w');
    writeFileSync(join(dir, '.points.bin.tmp-4242-0a1b2c3d'), 'half a file');
    mkdirSync(join(dir, 'samples'));
    writeFileSync(join(dir, 'samples', '.grid.png.tmp-4242-0a1b2c3d'), 'half a file');
    writeFileSync(join(dir, 'samples', 'grid.png'), 'g');
    const scan = await scanModelFolder(dir);
    expect(scan.files.sort()).toEqual(['manifest.json', join('samples', 'grid.png'), 'weights.bin']);
    expect(scan.dirs).toEqual(['samples']);
    expect(scan.bytes).toBe(4);
  });
});
