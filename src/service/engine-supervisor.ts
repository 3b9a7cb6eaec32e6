/**
 * Engine supervision: starts the engine process, sends it requests (starting it first when needed),
 * and when it dies says so (an 'engine' event), starts a new one and lets the service reopen what was
 * open — unless it keeps dying (maxRestarts within restartWindowMs), then it gives up with a message.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ContractError, type EngineState, type Status } from '../shared/contract';
import type { EngineArgs, EngineEvent, EngineOp, EngineResults } from '../shared/engine-protocol';
import { EngineClient, describeExit, type EngineExit, type SpawnEngine } from './engine-client';
import { EngineQueue, type EngineQueueOptions } from './engine-queue';
import type { ServiceEvents } from './events';

export interface EngineSupervisorOptions {
  spawnEngine: SpawnEngine;
  /** The backend asked for (else the engine picks: tensorflow → wasm → cpu). */
  backend?: string;
  /** Report the engine's pid in status (tests kill the engine with it). */
  exposeEnginePid?: boolean;
  /** Restarts allowed within restartWindowMs before the supervisor gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** The bounds of the queue in front of the engine (engine-queue.ts). */
  queue?: EngineQueueOptions;
}

/** What the rest of the service does around a crash and a restart. */
export interface EngineHooks {
  /** An event of the current engine (progress of what it runs). */
  onEvent(event: EngineEvent): void;
  /** The engine died: end what it was running. */
  onLost(): void;
  /** Just before a new engine is started: forget what the dead one computed. */
  beforeRestart(): void;
  /** The new engine is up: reopen what was open; returns what was restored, for the message. */
  restore(): Promise<string[]>;
  /** The restored engine is ready. */
  afterRestart(): void;
}

export class EngineSupervisor {
  private engine: EngineClient | null = null;
  private state: EngineState = 'stopped';
  private message: string | null = null;
  private pid: number | undefined;
  private restarts = 0;
  private restartTimes: number[] = [];
  private stopping = false;
  private starting: Promise<void> | null = null;
  private backend: EngineResults['init'] | null = null;
  /** A restart under way, until the new engine holds what was open again (or the supervisor gave up). */
  private recovering: Promise<void> | null = null;
  /** Set inside hooks.restore(): its own requests must not wait for the restart they are part of. */
  private readonly restoring = new AsyncLocalStorage<true>();
  private readonly queue: EngineQueue;

  constructor(
    private readonly options: EngineSupervisorOptions,
    private readonly events: ServiceEvents,
    private readonly hooks: EngineHooks,
  ) {
    this.queue = new EngineQueue(options.queue);
  }

  /** True once stop() was called (failures after that are not worth a notice). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** The engine the service talks to now (replaced after a restart). */
  get current(): EngineClient | null {
    return this.engine;
  }

  get alive(): boolean {
    return Boolean(this.engine?.alive);
  }

  /** The engine's part of the status. */
  status(): Pick<Status, 'backend' | 'fallbacks' | 'adapter' | 'noGpu' | 'engine'> {
    return {
      backend: this.backend?.backend ?? null,
      fallbacks: this.backend?.fallbacks ?? [],
      ...(this.backend?.adapter ? { adapter: this.backend.adapter } : {}),
      ...(this.backend?.noGpu ? { noGpu: this.backend.noGpu } : {}),
      engine: {
        state: this.state,
        restarts: this.restarts,
        message: this.message,
        ...(this.options.exposeEnginePid && this.pid && this.engine?.alive ? { pid: this.pid } : {}),
      },
    };
  }

  start(): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = (async () => {
      this.setState('starting', null, false);
      const client = new EngineClient(
        this.options.spawnEngine(),
        (e) => {
          if (client === this.engine) this.hooks.onEvent(e);
        },
        (exit) => {
          if (client === this.engine && !this.stopping) void this.recover(exit);
        },
      );
      this.engine = client;
      this.pid = client.pid;
      this.backend = await client.request('init', this.options.backend ? { backend: this.options.backend } : {});
      this.pid = this.backend.pid;
      this.setState('ready', null, false);
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.rejectWaiting(new ContractError('engine', 'the engine is stopping'));
    const engine = this.engine;
    if (engine?.alive) {
      const exited = new Promise<void>((r) => {
        const t = setInterval(() => {
          if (!engine.alive) {
            clearInterval(t);
            r();
          }
        }, 20);
        setTimeout(() => {
          clearInterval(t);
          r();
        }, 3000).unref?.();
      });
      engine.kill();
      await exited;
    }
    this.setState('stopped', null, false);
  }

  /** The live engine, started (again) if needed; refused once the supervisor gave up. */
  async ensure(): Promise<EngineClient> {
    if (this.starting) await this.starting;
    if (!this.engine || !this.engine.alive) {
      if (this.state === 'failed') throw new ContractError('engine', this.message ?? 'the engine process failed');
      await this.start();
    }
    return this.engine!;
  }

  /**
   * Resolves once no restart is under way. Until then the service's view (the open model, the run)
   * and the new engine's may differ: calls wait here rather than act on the dead engine's world.
   */
  async settled(): Promise<void> {
    while (this.recovering && !this.restoring.getStore()) await this.recovering;
  }

  /** Sends a request when its turn comes (engine-queue.ts), after any restart; refused with 'busy' when too many wait. */
  request<O extends EngineOp>(op: O, args: EngineArgs<O>): Promise<EngineResults[O]> {
    // Queued at once when no restart is under way, so calls keep the order they were made in.
    if (this.recovering && !this.restoring.getStore()) return this.settled().then(() => this.request(op, args));
    return this.queue.run(op, args, async () => {
      const engine = await this.ensure();
      return engine.request(op, args);
    });
  }

  private setState(state: EngineState, message: string | null, restarted: boolean): void {
    this.state = state;
    this.message = message;
    this.events.emit('engine', { state, message, restarts: this.restarts, restarted });
  }

  /** The engine died: say so, end what it ran, start a new one and reload what was open. */
  private async recover(exit: EngineExit): Promise<void> {
    // Marked before anything else runs, so that a call made from an event listener waits too.
    let finish!: () => void;
    const recovery = new Promise<void>((resolve) => (finish = resolve));
    this.recovering = recovery;
    try {
      await this.restart(exit);
    } finally {
      if (this.recovering === recovery) this.recovering = null;
      finish();
    }
  }

  private async restart(exit: EngineExit): Promise<void> {
    const now = Date.now();
    const windowMs = this.options.restartWindowMs ?? 60_000;
    this.restartTimes = this.restartTimes.filter((t) => now - t < windowMs);
    const how = describeExit(exit);
    this.setState('crashed', `The engine process stopped unexpectedly (${how}). Restarting it…`, false);
    this.hooks.onLost();
    if (this.restartTimes.length >= (this.options.maxRestarts ?? 3)) {
      this.setState('failed', `The engine process keeps stopping (${how}); not restarting it again. Restart the app.`, false);
      return;
    }
    this.restartTimes.push(now);
    this.restarts++;
    this.hooks.beforeRestart();
    try {
      await this.start();
      const restored = await this.restoring.run(true, () => this.hooks.restore());
      this.setState('ready', `The engine restarted${restored.length ? ` and reloaded the ${restored.join(' and the ')}` : ''}.`, true);
      this.hooks.afterRestart();
    } catch (err) {
      if (this.state !== 'crashed' && this.state !== 'starting') return;
      this.setState('failed', `The engine could not be restarted: ${(err as Error).message}`, false);
    }
  }
}
