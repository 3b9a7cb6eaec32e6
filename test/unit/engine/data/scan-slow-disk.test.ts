/**
 * The scan on a slow disk (ingest/scan.ts): blocking stats that average SLOW_STAT_MS or more hand the rest of
 * the folder to libuv's pool, and the scan finds the same files either way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const calls = vi.hoisted(() => ({ blocking: 0, pooled: 0, slow: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    statSync: ((...args: Parameters<typeof fs.statSync>) => {
      calls.blocking++;
      // A network share's stat: ~1 ms each.
      if (calls.slow) for (const until = performance.now() + 1; performance.now() < until;);
      return fs.statSync(...args);
    }) as typeof fs.statSync,
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  return { ...fsp, stat: ((...args: Parameters<typeof fsp.stat>) => (calls.pooled++, fsp.stat(...args))) as typeof fsp.stat };
});

const { scanFolder } = await import('../../../../src/engine/data/ingest/scan');

describe('the ingest scan’s stats', () => {
  const root = join(tmpdir(), `ls-scan-slow-${process.pid}`);
  const FILES = 600;

  beforeAll(async () => {
    await mkdir(join(root, 'a'), { recursive: true });
    for (let i = 0; i < FILES; i++) await writeFile(join(root, i % 2 ? 'a' : '', `f${String(i).padStart(4, '0')}.jpg`), String(i));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const scan = async (slow: boolean) => {
    Object.assign(calls, { blocking: 0, pooled: 0, slow });
    const result = await scanFolder(root);
    return { keys: result.files.map((f) => `${f.key} ${f.size}`), blocking: calls.blocking, pooled: calls.pooled };
  };

  it('are blocking calls on a fast disk, and go through the pool once they prove slow, finding the same files', async () => {
    const fast = await scan(false);
    const slow = await scan(true);
    expect(fast.keys).toHaveLength(FILES);
    expect(slow.keys).toEqual(fast.keys);
    // A fast disk: blocking calls (all of them unless the machine stalls a slice past SLOW_STAT_MS a file).
    expect(fast.blocking).toBeGreaterThan(0);
    // A slow disk: one slice of blocking calls (at most ~20 ms of them), then the pool for the rest.
    expect(slow.blocking).toBeLessThan(40);
    expect(slow.pooled).toBeGreaterThanOrEqual(FILES - slow.blocking);
  });
});
