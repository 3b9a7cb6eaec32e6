/**
 * The queue in front of the engine process. The engine answers one request at a time, in the order
 * it receives them; without this queue one client sending hundreds of big decodes made every other
 * client wait for all of them. Here:
 *  - short requests a user waits for (a decode of a few vectors, a nearest query, one reconstruction)
 *    go in an interactive lane with its own turn at the engine: they wait for at most the one bulk
 *    request being computed, never for the bulk ones queued behind it;
 *  - within a lane, callers take turns (round-robin), so one flooding client cannot starve another;
 *  - each lane holds at most `maxQueued` waiting requests across all callers, and a request beyond
 *    that is refused at once with a 'busy' error instead of growing the service's memory;
 *  - only `maxActive` requests of each lane are at the engine at a time, so the order is decided here.
 * Long-running operations with their own progress and cancel (train, export, ingest, embeddings) and
 * the service's own loads are not queued: they go straight to the engine, as before.
 *
 * The caller is whoever made the contract call: the serve host names each socket (dispatch runs the
 * handler inside `runAsCaller`), Electron's IPC is one caller ('local'). AsyncLocalStorage carries the
 * name through the service's awaits to here without every handler passing it on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ContractError } from '../shared/contract';
import type { EngineOp } from '../shared/engine-protocol';
import { MAX_LATENT } from '../shared/limits';

export type EngineLane = 'interactive' | 'bulk';

/** A decode of at most this many floats (8 vectors of the largest latent) is interactive. */
export const INTERACTIVE_DECODE_FLOATS = 8 * MAX_LATENT;

const LOCAL_CALLER = 'local';

/** Who made a contract call; `gone` is aborted when that client leaves (its waiting work is dropped). */
export interface Caller {
  id: string;
  gone?: AbortSignal;
}

const callerScope = new AsyncLocalStorage<Caller>();

/** Runs `work` (and everything it awaits) as `caller`'s. */
export function runAsCaller<T>(caller: string | Caller, work: () => T): T {
  return callerScope.run(typeof caller === 'string' ? { id: caller } : caller, work);
}

/** Who made the contract call being served now ('local' outside any). */
export function currentCaller(): string {
  return callerScope.getStore()?.id ?? LOCAL_CALLER;
}

const goneError = (): ContractError => new ContractError('gone', 'the client that asked for this has disconnected');

const INTERACTIVE_OPS = new Set<string>(['nearest', 'reconstruct']);
const BULK_OPS = new Set<string>([
  'decode',
  'atlas',
  'interpolate',
  'fitProjection',
  'modelSamples',
  'datasetFiles',
  'pointStats',
  'exportImage',
  'inspectModel',
  'encodeImage',
]);

function smallDecode(args: unknown): boolean {
  const z = (args as { z?: unknown } | null)?.z;
  return z instanceof Float32Array && z.length <= INTERACTIVE_DECODE_FLOATS;
}

/** Which lane an engine request waits in; null: sent straight to the engine. */
export function engineLane(op: EngineOp, args: unknown): EngineLane | null {
  if (INTERACTIVE_OPS.has(op) || (op === 'decode' && smallDecode(args))) return 'interactive';
  return BULK_OPS.has(op) ? 'bulk' : null;
}

/** Contract calls that are cheap and a user waits for: the serve host lets them past a socket's own backlog. */
export function isInteractiveCall(method: unknown, args: unknown): boolean {
  return method === 'status' || method === 'nearest' || method === 'reconstruct' || (method === 'decode' && smallDecode(args));
}

export interface EngineQueueOptions {
  /** Requests waiting in one lane, all callers together (default 256); more are refused with 'busy'. */
  maxQueued?: number;
  /** Requests of one lane at the engine at once (default 1). */
  maxActive?: number;
}

interface Job {
  gone: AbortSignal | undefined;
  start(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One lane: a FIFO per caller, and the callers with work in the order of their next turn. */
class Lane {
  readonly byCaller = new Map<string, Job[]>();
  readonly turns: string[] = [];
  queued = 0;
  active = 0;

  push(caller: string, job: Job): void {
    const jobs = this.byCaller.get(caller);
    if (jobs) jobs.push(job);
    else {
      this.byCaller.set(caller, [job]);
      this.turns.push(caller);
    }
    this.queued++;
  }

  /** The next caller's oldest job; that caller goes to the back of the turns if it has more. */
  take(): Job | undefined {
    const caller = this.turns.shift();
    if (caller === undefined) return undefined;
    const jobs = this.byCaller.get(caller)!;
    const job = jobs.shift()!;
    if (jobs.length) this.turns.push(caller);
    else this.byCaller.delete(caller);
    this.queued--;
    return job;
  }
}

export class EngineQueue {
  private readonly lanes: Record<EngineLane, Lane> = { interactive: new Lane(), bulk: new Lane() };
  private readonly maxQueued: number;
  private readonly maxActive: number;

  constructor(options: EngineQueueOptions = {}) {
    this.maxQueued = options.maxQueued ?? 256;
    this.maxActive = options.maxActive ?? 1;
  }

  /** Requests waiting (not yet at the engine), per lane. */
  get waiting(): Record<EngineLane, number> {
    return { interactive: this.lanes.interactive.queued, bulk: this.lanes.bulk.queued };
  }

  /** Runs `start` (which sends the request) when the lane and the caller's turn allow. */
  run<T>(op: EngineOp, args: unknown, start: () => Promise<T>): Promise<T> {
    const laneName = engineLane(op, args);
    if (!laneName) return start();
    const lane = this.lanes[laneName];
    const caller = callerScope.getStore() ?? { id: LOCAL_CALLER };
    if (caller.gone?.aborted) return Promise.reject(goneError());
    if (lane.queued >= this.maxQueued) {
      return Promise.reject(new ContractError('busy', `the engine is busy: ${lane.queued} requests are waiting for it; try again when some are answered`));
    }
    return new Promise<T>((resolve, reject) => {
      lane.push(caller.id, { gone: caller.gone, start, resolve: resolve as (v: unknown) => void, reject });
      this.pump(lane);
    });
  }

  /** Refuses every request still waiting (the service is stopping: none of them may start an engine). */
  rejectWaiting(error: Error): void {
    for (const lane of Object.values(this.lanes)) {
      for (let job = lane.take(); job; job = lane.take()) job.reject(error);
    }
  }

  private pump(lane: Lane): void {
    while (lane.active < this.maxActive) {
      const job = lane.take();
      if (!job) return;
      // Its client left while it waited: nobody would read the answer.
      if (job.gone?.aborted) {
        job.reject(goneError());
        continue;
      }
      lane.active++;
      job
        .start()
        .then(job.resolve, job.reject)
        .finally(() => {
          lane.active--;
          this.pump(lane);
        });
    }
  }
}
