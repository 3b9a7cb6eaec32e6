import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelLibrary, type LibraryDeps } from '../../../src/service/library';

/** The engine's reading of a model folder, as inspectModel answers it (only what the listing reads). */
const inspection = (dir: string) => ({
  info: { dir, height: 28, width: 28, channels: 1, arch: 'mlp', latentDim: 2, likelihood: 'bernoulli', epochsCompleted: 1, metrics: [] },
  dataset: null,
  updatedAt: '2026-12-06T20:00:00.000Z',
});

describe('the library listing', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('marks one model open even when another opens while it lists (the open model is read once)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ls-library-list-'));
    dirs.push(dataDir);
    const defaultDir = join(dataDir, 'default-model');
    const runDir = join(dataDir, 'models', 'run-20261206-200000-abcdef');
    for (const d of [defaultDir, runDir]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'manifest.json'), '{}');
    }
    const workspace = { model: { dir: defaultDir } as { dir: string }, dataset: null };
    // Each inspection takes a turn of the event loop; the run's model opens during the first one.
    const engine = {
      request: async (_op: string, args: { dir: string }) => {
        await new Promise((r) => setTimeout(r, 5));
        workspace.model = { dir: runDir };
        return inspection(args.dir);
      },
    };
    const deps = { dataDir, defaultModelDir: defaultDir, engine, workspace, paths: {}, trainingDir: () => null } as unknown as LibraryDeps;
    const listing = await new ModelLibrary(deps).list();
    expect(listing.models.filter((m) => m.open).map((m) => m.id)).toEqual(['builtin:default']);
  });
});
