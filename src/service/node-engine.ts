/**
 * Starts the engine with Node's child_process.fork (the serve host and tests). 'advanced'
 * serialization carries typed arrays as typed arrays.
 *
 * Which entry runs: the engine bundle that `npm run build` writes (out/main/engine.js, the one Electron
 * runs) when it is newer than every source it is built from, since transpiling the TypeScript entry
 * through tsx costs about half a second of every start; otherwise src/engine/main.ts through tsx, so
 * a developer never runs engine code older than the sources.
 */
import { fork } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromEngine } from '../shared/engine-protocol';
import type { EngineChannel, EngineExit } from './engine-client';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const ENGINE_ENTRY = join(REPO, 'src', 'engine', 'main.ts');
export const ENGINE_BUNDLE = join(REPO, 'out', 'main', 'engine.js');
/**
 * What the bundle is built from: the engine, the folders of ours it imports (a test checks the list),
 * the build's config, and package.json (its dependencies decide what the build leaves out of the bundle).
 */
export const ENGINE_BUNDLE_SOURCES = [
  join(REPO, 'src', 'engine'),
  join(REPO, 'src', 'node'),
  join(REPO, 'src', 'shared'),
  join(REPO, 'electron.vite.config.ts'),
  join(REPO, 'package.json'),
];

function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * The newest modification time among these paths and everything in them; 0 when none exists. A
 * folder's own time counts too: deleting or renaming a file changes only its folder's.
 */
function newestMtimeMs(paths: readonly string[]): number {
  let newest = 0;
  for (const path of paths) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) continue;
    newest = Math.max(newest, info.mtimeMs);
    if (!info.isDirectory()) continue;
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true }))
      if (entry.isFile() || entry.isDirectory()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The bundle when it exists and is newer than every file of its sources; null when the sources must run. */
export function freshEngineBundle(bundle: string, sources: readonly string[]): string | null {
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!built?.isFile()) return null;
  return built.mtimeMs > newestMtimeMs(sources) ? bundle : null;
}

/** The script to fork and the Node flags it needs. */
export function engineLaunch(bundle = ENGINE_BUNDLE, sources: readonly string[] = ENGINE_BUNDLE_SOURCES): { entry: string; execArgv: string[] } {
  const fresh = freshEngineBundle(bundle, sources);
  return fresh ? { entry: fresh, execArgv: [] } : { entry: ENGINE_ENTRY, execArgv: ['--import', tsxLoader()] };
}

/** Events passed to every listener; those that come while nobody listens wait for the first listener. */
export function keptUntilHeard<T>(): { emit(value: T): void; listen(listener: (value: T) => void): void } {
  const listeners: ((value: T) => void)[] = [];
  const unheard: T[] = [];
  return {
    emit(value) {
      if (!listeners.length) unheard.push(value);
      for (const l of listeners) l(value);
    },
    listen(listener) {
      listeners.push(listener);
      for (const value of unheard.splice(0)) listener(value);
    },
  };
}

export interface NodeEngineOptions {
  env?: NodeJS.ProcessEnv;
  /** Forward the engine's stderr to ours (it is always kept for crash messages). */
  forwardStderr?: boolean;
}

export function forkNodeEngine(options: NodeEngineOptions = {}): EngineChannel {
  const { entry, execArgv } = engineLaunch();
  const child = fork(entry, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  // Keep the tail of stderr (an Emscripten abort prints one enormous line: cut it).
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
    // `latentscape serve --verbose` shows the engine's log too (native TensorFlow's start-up lines among it).
    if (options.forwardStderr ?? Boolean(process.env.LATENTSCAPE_DEBUG || process.env.LATENTSCAPE_VERBOSE)) process.stderr.write(chunk.slice(0, 2000));
  });
  // A channel forked ahead of its client (serve starts the engine before it loads the host) keeps what
  // comes before anyone listens: the engine's 'ready', or its exit.
  const messages = keptUntilHeard<FromEngine>();
  child.on('message', (m) => messages.emit(m as FromEngine));
  const exits = keptUntilHeard<EngineExit>();
  child.on('exit', (code, signal) => {
    const lines = tail
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const last = lines.length ? lines[lines.length - 1].slice(0, 300) : undefined;
    exits.emit({ code, signal, ...(last && !signal ? { detail: last } : {}) });
  });
  // An IPC write to a dead child raises 'error'; the exit handler reports it.
  child.on('error', () => {});
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!child.connected) throw new Error('the engine process is not connected');
      child.send(message);
    },
    onMessage: messages.listen,
    onExit: exits.listen,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
