/**
 * The service's side of the engine protocol: one engine process behind an EngineChannel (Node's
 * child_process or Electron's utilityProcess), requests matched to responses by id, events passed
 * on, and every pending request rejected when the process dies.
 */
import type { EngineArgs, EngineEvent, EngineOp, EngineResults, FromEngine, ToEngine } from '../shared/engine-protocol';

export interface EngineExit {
  code: number | null;
  signal: string | null;
  /** The last lines the engine wrote to stderr, when the transport can read them. */
  detail?: string;
}

/** A started engine process, whatever started it. */
export interface EngineChannel {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (exit: EngineExit) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChannel;

export class EngineStoppedError extends Error {
  readonly code = 'engine';
}

export class EngineRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: EngineExit | null = null;
  readonly ready: Promise<number>;

  constructor(
    private readonly channel: EngineChannel,
    onEvent: (event: EngineEvent) => void,
    onExit: (exit: EngineExit) => void,
    readyTimeoutMs = 120_000,
  ) {
    let markReady: (pid: number) => void = () => {};
    let failReady: (e: Error) => void = () => {};
    this.ready = new Promise<number>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // A rejection nobody awaited would crash the host; the exit handler reports it instead.
    this.ready.catch(() => {});
    const timer = setTimeout(() => failReady(new EngineStoppedError(`the engine process did not start within ${readyTimeoutMs / 1000} s`)), readyTimeoutMs);
    timer.unref?.();
    channel.onMessage((message) => {
      if (message.kind === 'ready') {
        clearTimeout(timer);
        markReady(message.pid);
      } else if (message.kind === 'event') {
        onEvent(message.event);
      } else if (message.kind === 'response') {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new EngineRequestError(message.error.message, message.error.code ?? 'engine'));
      }
    });
    channel.onExit((exit) => {
      clearTimeout(timer);
      this.exited = exit;
      const error = new EngineStoppedError(`the engine process stopped (${describeExit(exit)})`);
      failReady(error);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      onExit(exit);
    });
  }

  get pid(): number | undefined {
    return this.channel.pid;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  async request<O extends EngineOp>(op: O, args: EngineArgs<O>): Promise<EngineResults[O]> {
    await this.ready;
    if (this.exited) throw new EngineStoppedError(`the engine process stopped (${describeExit(this.exited)})`);
    const id = this.nextId++;
    return new Promise<EngineResults[O]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.channel.send({ kind: 'request', id, op, args });
      } catch (err) {
        this.pending.delete(id);
        reject(new EngineStoppedError(`cannot reach the engine process: ${(err as Error).message}`));
      }
    });
  }

  kill(): void {
    this.channel.kill();
  }
}

export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  return exit.detail ? `${how}: ${exit.detail}` : how;
}
