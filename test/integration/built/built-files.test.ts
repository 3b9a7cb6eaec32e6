/**
 * The files `npm run build` writes, tested without Electron:
 *  - out/main/engine.js (the entry Electron's utilityProcess starts) forked with child_process.fork:
 *    it trains a tiny model and decodes through the engine protocol of src/shared/protocol.ts;
 *  - out/preload/index.cjs run in a vm context against stand-ins of contextBridge / ipcRenderer /
 *    webUtils: it exposes exactly the contract's calls and events (src/shared/contract.ts) and nothing
 *    else, and forwards each through the IPC channels.
 *  - the packaged layout electron-builder makes of them (packaged.suite.ts).
 * beforeAll runs the build itself, so these test the sources as they are now.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, events, ImagesSchema } from '../../../src/shared/contract';
import { IPC_CALL, IPC_DROP, IPC_EVENT } from '../../../src/shared/names';
import type { EngineArgs } from '../../../src/shared/engine-protocol';
import { BuiltEngine, forkOptions } from './built-engine';
// The packaged layout (electron-builder) is tested from these same built files.
import './packaged.suite';

const root = join(__dirname, '..', '..', '..');
const ENGINE = join(root, 'out', 'main', 'engine.js');
const PRELOAD = join(root, 'out', 'preload', 'index.cjs');

beforeAll(() => {
  // `npm run build` (electron-vite build: main + engine, preload, renderer), ~10 s.
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}, 180_000);

describe('out/main/engine.js, forked like the serve host forks it', () => {
  let engine: BuiltEngine;
  let modelDir: string;

  beforeAll(async () => {
    modelDir = await mkdtemp(join(tmpdir(), 'latentscape-built-engine-'));
    engine = new BuiltEngine(fork(ENGINE, [], forkOptions(root)));
    await engine.ready;
  });
  afterAll(async () => {
    await engine?.stop();
    await rm(modelDir, { recursive: true, force: true });
  });

  it('starts, trains a tiny model on MNIST (with progress events and a checkpoint) and decodes', async () => {
    const init = await engine.request('init', { backend: 'wasm' });
    expect(init).toMatchObject({ backend: 'wasm', pid: engine.child.pid });

    const dataset = await engine.request('openDataset', { kind: 'mnist' });
    expect(dataset).toMatchObject({ count: 70000, height: 28, width: 28, channels: 1 });

    const trained = await engine.request('train', {
      dir: modelDir,
      resume: false,
      arch: 'mlp',
      latentDim: 2,
      epochs: 1,
      batchSize: 64,
      lr: 1e-3,
      beta: 1,
      likelihood: 'bernoulli',
      binarize: false,
      seed: 1,
      limit: 256,
    });
    expect(trained).toMatchObject({ epochsCompleted: 1, cancelled: false, model: { dir: modelDir, arch: 'mlp', latentDim: 2, epochsCompleted: 1 } });
    expect(engine.events.some((e) => e.type === 'step')).toBe(true);
    const epoch = engine.events.find((e) => e.type === 'epoch');
    expect(epoch && epoch.type === 'epoch' && Number.isFinite(epoch.trainLoss)).toBe(true);
    expect(engine.events).toContainEqual({ type: 'checkpoint', epoch: 1, dir: modelDir });
    expect((await readdir(modelDir)).sort()).toEqual(expect.arrayContaining(['manifest.json', 'weights.bin']));

    const decoded = await engine.request('decode', { z: new Float32Array([0, 0, 1.5, -1.5]) });
    const images = ImagesSchema.parse(decoded); // the contract's own schema: typed arrays arrived typed
    expect(images).toMatchObject({ count: 2, height: 28, width: 28, channels: 1 });
    expect(images.pixels.length).toBe(2 * 28 * 28);
    expect(new Set(images.pixels).size).toBeGreaterThan(1); // an image, not a blank
  });

  it('answers a bad request with the protocol error, and keeps working', async () => {
    await expect(engine.request('decode', { z: new Float32Array(3) })).rejects.toThrow(/2 numbers/);
    await expect(engine.request('decode', { z: 'zero' } as unknown as EngineArgs<'decode'>)).rejects.toMatchObject({ code: 'bad-arguments' });
    expect((await engine.request('decode', { z: new Float32Array(2) })).count).toBe(1);
  });
});

describe('out/main/engine.js, what it loads to start', () => {
  /** The bundle's chunks the engine runs at start: the entry, its handlers, and what they import statically. */
  function startChunks(): Map<string, string> {
    const chunks = new Map<string, string>();
    const visit = (file: string, dynamicToo: boolean): void => {
      if (chunks.has(file)) return;
      const source = readFileSync(file, 'utf8');
      chunks.set(file, source);
      // The entry imports its handlers dynamically (main.ts: no top-level await), at once.
      const relative = dynamicToo ? /(?:\bfrom\s*|\bimport\s*\(\s*)"(\.\.?\/[^"]+)"/g : /\bfrom\s*"(\.\.?\/[^"]+)"/g;
      for (const m of source.matchAll(relative)) visit(join(file, '..', m[1]), false);
    };
    visit(ENGINE, true);
    return chunks;
  }

  it('loads sharp (libvips) and mediabunny only when an ingest or an export needs them, not to start', () => {
    const chunks = startChunks();
    expect(chunks.size).toBeGreaterThan(2);
    const statically = (pkg: string) => [...chunks].filter(([, source]) => source.includes(`from "${pkg}"`)).map(([file]) => file);
    expect(statically('zod')).not.toEqual([]); // the scan sees the packages the engine does import
    expect(statically('sharp')).toEqual([]);
    expect(statically('mediabunny')).toEqual([]);
  });

  it('requires tfjs-core rather than importing it (no cjs-module-lexer pass over 1.2 MB at every start)', () => {
    const chunks = [...startChunks().values()];
    expect(chunks.filter((source) => source.includes('from "@tensorflow/tfjs-core"'))).toEqual([]);
    expect(chunks.filter((source) => source.includes('createRequire(import.meta.url)("@tensorflow/tfjs-core")'))).toHaveLength(1);
  });
});

describe('out/main/engine.js keeps its compiled code where Node can (module.enableCompileCache)', () => {
  it('writes it under the app cache folder after init, though stopped by a signal; on a Node without it, writes nothing', async () => {
    const cacheHome = await mkdtemp(join(tmpdir(), 'latentscape-compile-cache-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
      delete env.NODE_COMPILE_CACHE;
      const started = new BuiltEngine(fork(ENGINE, [], { ...forkOptions(root), env }));
      await started.ready;
      await started.request('init', { backend: 'cpu' });
      // As the service stops its engine: SIGTERM, no normal exit for Node to write the cache at.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = new Promise((resolve) => started.child.once('exit', resolve));
      started.child.kill('SIGTERM');
      await exited;
      const dir = join(cacheHome, 'latentscape', 'compile');
      const nodeHasIt = typeof ((await import('node:module')) as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      // Files, not folders: Node makes its versioned folder at once and writes into it only on a flush or a normal exit.
      const files = existsSync(dir) ? (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()) : [];
      if (nodeHasIt) expect(files.length).toBeGreaterThan(0);
      else expect(existsSync(dir)).toBe(false);
    } finally {
      await rm(cacheHome, { recursive: true, force: true });
    }
  });
});

describe('out/preload/index.cjs against stand-ins of Electron', () => {
  interface Exposed {
    call: Record<string, (args: unknown) => Promise<unknown>>;
    on: (name: string, listener: (data: unknown) => void) => () => void;
  }

  function loadPreload() {
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const sent: unknown[][] = [];
    const ipcListeners = new Map<string, (...a: unknown[]) => void>();
    const windowListeners = new Map<string, (e: unknown) => void>();
    const required: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (...a: unknown[]) => {
          invoked.push(a);
          return Promise.resolve({ ok: true, value: a[1] });
        },
        send: (...a: unknown[]) => sent.push(a),
        on: (channel: string, listener: (...a: unknown[]) => void) => ipcListeners.set(channel, listener),
      },
      webUtils: { getPathForFile: (f: { path: string }) => f.path },
    };
    const module = { exports: {} };
    const sandbox = {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require "${name}"`);
      },
      window: { addEventListener: (type: string, l: (e: unknown) => void) => windowListeners.set(type, l) },
    };
    runInNewContext(readFileSync(PRELOAD, 'utf8'), sandbox, { filename: PRELOAD });
    return { exposed, invoked, sent, ipcListeners, windowListeners, required };
  }

  it('is CommonJS that requires only "electron" (a sandboxed preload has no Node)', () => {
    expect(existsSync(PRELOAD)).toBe(true);
    expect(loadPreload().required).toEqual(['electron']);
  });

  it('exposes window.latentscape with exactly the contract’s calls and an `on` for its events, nothing else', () => {
    const { exposed } = loadPreload();
    expect([...exposed.keys()]).toEqual(['latentscape']);
    const api = exposed.get('latentscape') as Exposed;
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.keys(api.call).sort()).toEqual(Object.keys(calls).sort());
    for (const fn of Object.values(api.call)) expect(typeof fn).toBe('function');
    expect(Object.isFrozen(api.call)).toBe(true);
    // ipcRenderer itself, or anything holding it, is not reachable from what was exposed.
    const seen = new Set<unknown>();
    const walk = (v: unknown): void => {
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
      seen.add(v);
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
    };
    walk(api);
    expect([...seen].filter((v) => typeof v === 'object').length).toBe(2); // api and api.call
  });

  it('each call goes through ipcRenderer.invoke on the call channel with its name and arguments', async () => {
    const { exposed, invoked } = loadPreload();
    const api = exposed.get('latentscape') as Exposed;
    for (const name of Object.keys(calls)) await api.call[name]({ probe: name });
    expect(invoked).toEqual(Object.keys(calls).map((name) => [IPC_CALL, name, { probe: name }]));
  });

  it('`on` accepts exactly the contract’s events, delivers them, and unsubscribes', () => {
    const { exposed, ipcListeners } = loadPreload();
    const api = exposed.get('latentscape') as Exposed;
    const deliver = ipcListeners.get(IPC_EVENT);
    expect([...ipcListeners.keys()]).toEqual([IPC_EVENT]);
    for (const name of Object.keys(events)) {
      const got: unknown[] = [];
      const off = api.on(name, (d) => got.push(d));
      deliver?.({}, name, { n: 1 });
      off();
      deliver?.({}, name, { n: 2 });
      expect(got, name).toEqual([{ n: 1 }]);
    }
    expect(() => api.on('ipcRenderer', () => {})).toThrow(/unknown event/);
    expect(() => api.on('notice', 'not a function' as never)).toThrow(/function/);
  });

  it('a dropped folder reaches the main process as a path on the drop channel', () => {
    const { windowListeners, sent } = loadPreload();
    let prevented = 0;
    windowListeners.get('drop')?.({ preventDefault: () => prevented++, dataTransfer: { files: [{ path: '/data/cats' }] } });
    expect(prevented).toBe(1);
    expect(sent).toEqual([[IPC_DROP, ['/data/cats']]]);
  });
});
