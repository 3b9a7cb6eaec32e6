/** A command that fails under --json ends stdout with a final JSON line saying why (and exits non-zero). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';
import { DiskFullError } from '../../../src/node/files';

vi.mock('../../../src/cli/commands/ingest', () => ({
  run: async () => {
    throw new DiskFullError('the disk is full: the ingest cache needs 12.5 MB at /tmp/x');
  },
}));

afterEach(() => {
  vi.restoreAllMocks();
});

function capture(): { stdout: string[]; stderr: string[] } {
  const seen = { stdout: [] as string[], stderr: [] as string[] };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (seen.stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (seen.stderr.push(String(chunk)), true));
  return seen;
}

describe('a failing command', () => {
  it('under --json prints the error as the final line, with its code, and exits 1', async () => {
    const seen = capture();
    expect(await main(['ingest', '/tmp/x', '--json'])).toBe(1);
    expect(JSON.parse(seen.stdout.join('').trim().split('\n').at(-1)!)).toEqual({
      error: 'the disk is full: the ingest cache needs 12.5 MB at /tmp/x',
      code: 'disk-full',
      final: true,
    });
    expect(seen.stderr.join('')).toContain('latentscape ingest: the disk is full');
  });

  it('without --json keeps stdout empty', async () => {
    const seen = capture();
    expect(await main(['ingest', '/tmp/x'])).toBe(1);
    expect(seen.stdout.join('')).toBe('');
  });
});
