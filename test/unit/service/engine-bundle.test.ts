/**
 * The serve host forks the prebuilt engine bundle only while it is newer than every source it is
 * built from; otherwise the TypeScript entry runs (a developer never runs stale engine code).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINE_BUNDLE_SOURCES, ENGINE_ENTRY, engineLaunch, freshEngineBundle, keptUntilHeard } from '../../../src/service/node-engine';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
let bundle: string;
let sources: string[];
const T0 = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function file(path: string, at: Date): void {
  writeFileSync(path, 'x');
  utimesSync(path, at, at);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'latentscape-engine-bundle-'));
  const engine = join(root, 'engine');
  mkdirSync(join(engine, 'model', 'layers'), { recursive: true });
  file(join(engine, 'main.ts'), T0);
  file(join(engine, 'model', 'layers', 'dense.ts'), T0);
  file(join(engine, 'model', 'old.ts'), T0);
  file(join(root, 'build.config.ts'), T0);
  for (const dir of [join(engine, 'model', 'layers'), join(engine, 'model'), engine]) utimesSync(dir, T0, T0);
  sources = [engine, join(root, 'build.config.ts')];
  bundle = join(root, 'engine.js');
  file(bundle, later(10));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the engine bundle against its sources', () => {
  it('a bundle built after every source is used', () => {
    expect(freshEngineBundle(bundle, sources)).toBe(bundle);
    expect(engineLaunch(bundle, sources)).toEqual({ entry: bundle, execArgv: [] });
  });

  it('a source file edited after the build, however deep, makes it stale', () => {
    utimesSync(join(root, 'engine', 'model', 'layers', 'dense.ts'), later(20), later(20));
    expect(freshEngineBundle(bundle, sources)).toBeNull();
  });

  it('a source file deleted after the build makes it stale', () => {
    // Every file left is older than the bundle: only the folder that held the deleted one is newer.
    unlinkSync(join(root, 'engine', 'model', 'old.ts'));
    expect(freshEngineBundle(bundle, sources)).toBeNull();
  });

  it('a single-file source (the build config) edited after the build makes it stale', () => {
    utimesSync(join(root, 'build.config.ts'), later(20), later(20));
    expect(freshEngineBundle(bundle, sources)).toBeNull();
  });

  it('without a bundle the TypeScript entry runs through tsx', () => {
    unlinkSync(bundle);
    expect(freshEngineBundle(bundle, sources)).toBeNull();
    const launch = engineLaunch(bundle, sources);
    expect(launch.entry).toBe(ENGINE_ENTRY);
    expect(launch.execArgv[0]).toBe('--import');
    expect(launch.execArgv[1]).toMatch(/tsx/);
  });
});

describe("an engine forked before its client listens (serve's early start)", () => {
  it('keeps what came before the first listener for it, in order, and passes later ones to every listener', () => {
    const channel = keptUntilHeard<string>();
    channel.emit('ready');
    channel.emit('event');
    const first: string[] = [];
    const second: string[] = [];
    channel.listen((m) => first.push(m));
    channel.listen((m) => second.push(m));
    channel.emit('response');
    expect(first).toEqual(['ready', 'event', 'response']);
    expect(second).toEqual(['response']);
  });
});

describe('the sources the bundle is checked against', () => {
  it("hold every folder of src/ that the engine's code imports, through the folders it imports", () => {
    const src = join(REPO_ROOT, 'src');
    const reached = new Set<string>(['engine']);
    const seen = new Set<string>();
    const pending = ['engine'];
    while (pending.length) {
      const folder = pending.pop()!;
      if (seen.has(folder)) continue;
      seen.add(folder);
      for (const name of readdirSync(join(src, folder), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(ts|mjs|js)$/.test(name) || /\.test\.ts$/.test(name)) continue;
        const file = join(src, folder, name);
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
          const top = relative(src, resolve(dirname(file), spec)).split(sep)[0];
          if (top && !top.startsWith('..') && !reached.has(top)) {
            reached.add(top);
            pending.push(top);
          }
        }
      }
    }
    const listed = ENGINE_BUNDLE_SOURCES.map((p) => relative(src, p).split(sep)[0]);
    expect([...reached].filter((top) => !listed.includes(top))).toEqual([]);
    expect(reached).toContain('shared');
  });
});
