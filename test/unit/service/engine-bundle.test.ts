/**
 * The serve host forks the prebuilt engine bundle only while it is newer than every source it is
 * built from; otherwise the TypeScript entry runs (a developer never runs stale engine code). And
 * serve's engine, forked and initialised before its client exists, loses nothing it says or is sent.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineChannel } from '../../../src/service/engine-client';
import { ENGINE_ENTRY, engineLaunch, freshEngineBundle, initEarly, keptUntilHeard } from '../../../src/service/node-engine';
import type { FromEngine, ToEngine } from '../../../src/shared/engine-protocol';

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

describe("serve's early init", () => {
  function fakeChannel() {
    const sent: ToEngine[] = [];
    const toClient = keptUntilHeard<FromEngine>();
    const channel: EngineChannel = {
      pid: 7,
      send: (m) => sent.push(m),
      onMessage: toClient.listen,
      onExit: () => {},
      kill: () => {},
    };
    return { channel, sent, fromEngine: (m: FromEngine) => toClient.emit(m) };
  }

  it('sends init when the engine is ready; what the client sends waits for its answer, which the client never sees', () => {
    const { channel, sent, fromEngine } = fakeChannel();
    const early = initEarly(channel, { backend: 'wasm' });
    fromEngine({ kind: 'ready', pid: 7 });
    expect(sent).toEqual([{ kind: 'request', id: -1, op: 'init', args: { backend: 'wasm' } }]);

    const heard: FromEngine[] = [];
    early.onMessage((m) => heard.push(m));
    early.send({ kind: 'request', id: 1, op: 'init', args: { backend: 'wasm' } });
    early.send({ kind: 'request', id: 2, op: 'loadModel', args: { dir: '/m' } });
    expect(sent).toHaveLength(1);

    fromEngine({ kind: 'response', id: -1, ok: true, value: { backend: 'wasm' } });
    expect(sent.map((m) => m.id)).toEqual([-1, 1, 2]);
    expect(heard).toEqual([{ kind: 'ready', pid: 7 }]);

    early.send({ kind: 'request', id: 3, op: 'datasetFiles', args: {} });
    expect(sent.map((m) => m.id)).toEqual([-1, 1, 2, 3]);
  });

  it('a refused early init is not the client’s answer either: its own init is sent and answered', () => {
    const { channel, sent, fromEngine } = fakeChannel();
    const early = initEarly(channel, {});
    const heard: FromEngine[] = [];
    early.onMessage((m) => heard.push(m));
    fromEngine({ kind: 'ready', pid: 7 });
    early.send({ kind: 'request', id: 1, op: 'init', args: {} });
    fromEngine({ kind: 'response', id: -1, ok: false, error: { message: 'no usable tfjs backend' } });
    fromEngine({ kind: 'response', id: 1, ok: false, error: { message: 'no usable tfjs backend' } });
    expect(sent.map((m) => m.id)).toEqual([-1, 1]);
    expect(heard.map((m) => (m.kind === 'response' ? m.id : m.kind))).toEqual(['ready', 1]);
  });
});
