/**
 * Starts the engine in an Electron utilityProcess (a Node process of its own, out of the UI's way).
 * Messages use structured clone, so typed arrays arrive as typed arrays.
 */
import { utilityProcess } from 'electron';
import type { EngineChannel, EngineExit } from '../service/engine-client';
import type { FromEngine } from '../shared/engine-protocol';

export function forkUtilityEngine(entry: string): EngineChannel {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Latentscape engine', stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  const exitListeners: ((e: EngineExit) => void)[] = [];
  let exited = false;
  child.on('exit', (code) => {
    exited = true;
    const last = tail.trim().split('\n').at(-1)?.slice(0, 300);
    for (const l of exitListeners) l({ code, signal: null, ...(last ? { detail: last } : {}) });
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exited) throw new Error('the engine process has exited');
      child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', (m: unknown) => listener(m as FromEngine));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      if (!exited) child.kill();
    },
  };
}
