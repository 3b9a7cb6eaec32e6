import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/serve';
import { UsageError } from '../../../src/cli/io';

describe('latentscape serve', () => {
  it('refuses bad options before starting anything', async () => {
    await expect(run(['--port', 'eighty'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--port', '70000'])).rejects.toThrow('--port must be an integer from 0 to 65535');
    await expect(run(['--unknown'])).rejects.toThrow();
  });
});

describe('latentscape serve --data-dir', () => {
  it('exits non-zero with a message (and a JSON error line with --json) when the data dir is a file', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../helpers');
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
