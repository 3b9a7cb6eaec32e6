/**
 * Starts the engine with Node's child_process.fork (the serve host and tests). The TypeScript entry
 * runs through tsx; 'advanced' serialization carries typed arrays as typed arrays.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromEngine } from '../shared/engine-protocol';
import type { EngineChannel, EngineExit } from './engine-client';

export const ENGINE_ENTRY = fileURLToPath(new URL('../engine/main.ts', import.meta.url));

function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export interface NodeEngineOptions {
  env?: NodeJS.ProcessEnv;
  /** Forward the engine's stderr to ours (it is always kept for crash messages). */
  forwardStderr?: boolean;
}

export function forkNodeEngine(options: NodeEngineOptions = {}): EngineChannel {
  const child = fork(ENGINE_ENTRY, [], {
    execArgv: ['--import', tsxLoader()],
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
  const exitListeners: ((e: EngineExit) => void)[] = [];
  child.on('exit', (code, signal) => {
    const lines = tail
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const last = lines.length ? lines[lines.length - 1].slice(0, 300) : undefined;
    const exit: EngineExit = { code, signal, ...(last && !signal ? { detail: last } : {}) };
    for (const l of exitListeners) l(exit);
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
    onMessage(listener) {
      child.on('message', (m) => listener(m as FromEngine));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
