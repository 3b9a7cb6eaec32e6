/** `latentscape serve` as a user starts it: a separate process through bin/latentscape.js. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../unit/helpers';

describe('latentscape serve --data-dir', () => {
  it('exits non-zero with a message (and a JSON error line with --json) when the data dir is a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-serve-datadir-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      // Bounded: before the fix the server kept running (with a stopped engine) until this timeout.
      const json = runCli(['serve', '--data-dir', file, '--port', '0', '--json'], {}, 30_000);
      expect(json.code).toBe(2);
      expect(json.lines.at(-1)).toMatchObject({ error: expect.stringContaining('is not a folder'), final: true });
      expect(json.stderr).toContain('is not a folder');
      const plain = runCli(['serve', '--data-dir', join(file, 'below'), '--port', '0'], {}, 30_000);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/--data-dir .* cannot be used \(ENOTDIR\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
