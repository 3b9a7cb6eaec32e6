import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowedPaths, PathNotAllowedError } from '../../../src/service/allowed-paths';

describe('AllowedPaths', () => {
  let base: string;
  let chosen: string;
  let secret: string;
  const paths = new AllowedPaths('open it with File › Open Folder…');

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'ls-paths-'));
    chosen = join(base, 'chosen');
    secret = join(base, 'secret');
    mkdirSync(join(chosen, 'images'), { recursive: true });
    mkdirSync(secret);
    symlinkSync(secret, join(chosen, 'escape'));
    await paths.add(chosen);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('accepts the chosen folder, what is inside it, and files not written yet', async () => {
    await expect(paths.check(chosen, 'x')).resolves.toBe(chosen);
    await expect(paths.check(join(chosen, 'images'), 'x')).resolves.toBe(join(chosen, 'images'));
    await expect(paths.check(join(chosen, 'new', 'anim.gif'), 'x')).resolves.toBe(join(chosen, 'new', 'anim.gif'));
  });

  it('refuses other folders, `..` and symlinks that lead out, with a clear error', async () => {
    for (const p of [secret, join(chosen, '..', 'secret'), join(chosen, 'escape'), join(chosen, 'escape', 'x.png'), '/etc', `${chosen}-sibling`]) {
      const err = await paths.check(p, 'the image folder').catch((e: unknown) => e);
      expect(err, p).toBeInstanceOf(PathNotAllowedError);
      expect((err as PathNotAllowedError).code).toBe('path-not-allowed');
      expect((err as Error).message).toContain('is outside the folders you chose');
      expect((err as Error).message).toContain('open it with File › Open Folder…');
    }
  });

  it('refuses relative paths', async () => {
    await expect(paths.check('images', 'x')).rejects.toThrow('not an absolute path');
  });
});
