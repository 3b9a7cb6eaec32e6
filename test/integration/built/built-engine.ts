/**
 * The service's side of the engine protocol (src/shared/engine-protocol.ts), minimal, for tests that fork a
 * built engine entry: requests matched by id, events collected, typed by the shared protocol.
 */
import type { ChildProcess, ForkOptions } from 'node:child_process';
import type { EngineArgs, EngineEvent, EngineOp, EngineResults, FromEngine, ToEngine } from '../../../src/shared/engine-protocol';

/** No tsx, no loader: the built file as Electron's utilityProcess gets it; 'advanced' serialization carries typed arrays as structured clone does there. */
export function forkOptions(cwd: string): ForkOptions {
  return { cwd, serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] };
}

export class BuiltEngine {
  readonly events: EngineEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (m: Extract<FromEngine, { kind: 'response' }>) => void>();
  readonly ready: Promise<number>;
  private stderr = '';

  constructor(readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`engine exited (${code}) before ready: ${this.stderr}`)));
      child.on('message', (raw) => {
        const m = raw as FromEngine;
        if (m.kind === 'ready') resolve(m.pid);
        else if (m.kind === 'event') this.events.push(m.event);
        else if (m.kind === 'response') this.pending.get(m.id)?.(m);
      });
    });
    this.ready.catch(() => {});
  }

  request<O extends EngineOp>(op: O, args: EngineArgs<O>): Promise<EngineResults[O]> {
    const id = this.nextId++;
    const message: ToEngine = { kind: 'request', id, op, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => {
        this.pending.delete(id);
        if (m.ok) resolve(m.value as EngineResults[O]);
        else reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      });
      this.child.send(message);
    });
  }

  /** The engine exits when its parent goes away. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    if (this.child.connected) this.child.disconnect();
    else this.child.kill();
    await exited;
  }
}
