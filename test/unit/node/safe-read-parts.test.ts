/**
 * readRegularFileParts: a file read as consecutive parts, each in a buffer of its own (a model's
 * weights, one per tensor, without the whole file held besides them), with readRegularFile's checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFileParts, UnsafeFileError } from '../../../src/node/safe-read';
import { tempDir } from '../helpers';

describe('readRegularFileParts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => i * 3);

  beforeAll(async () => {
    dir = await tempDir('ls-parts-');
    await writeFile(join(dir.path, 'w.bin'), bytes);
    await symlink(join(dir.path, 'w.bin'), join(dir.path, 'link.bin'));
  });
  afterAll(() => dir.cleanup());

  it('reads consecutive parts, each filling an ArrayBuffer of its own', async () => {
    const parts = await readRegularFileParts(join(dir.path, 'w.bin'), { maxBytes: 1000, exactBytes: 40 }, [12, 4, 24]);
    expect(parts.map((p) => [p.byteOffset, p.byteLength, p.buffer.byteLength])).toEqual([
      [0, 12, 12],
      [0, 4, 4],
      [0, 24, 24],
    ]);
    expect(Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(Array.from(bytes));
    expect(new Set(parts.map((p) => p.buffer)).size).toBe(3);
  });

  it('refuses parts that do not add up to the file, a size over the limit and a symlink', async () => {
    const file = join(dir.path, 'w.bin');
    await expect(readRegularFileParts(file, { maxBytes: 1000 }, [12, 4])).rejects.toMatchObject({ reason: 'size', message: 'expected 16 bytes, found 40' });
    await expect(readRegularFileParts(file, { maxBytes: 39 }, [40])).rejects.toBeInstanceOf(UnsafeFileError);
    await expect(readRegularFileParts(join(dir.path, 'link.bin'), { maxBytes: 1000 }, [40])).rejects.toMatchObject({ reason: 'kind' });
  });
});
