/**
 * Decodes files on worker threads (worker.mjs), or in-process when workers are unavailable or not
 * worth starting. A worker that fails to start or dies hands its jobs to the in-process decoder, so
 * a broken worker never loses an image or fails an ingest.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createDecoder, loadSharp, type Admit, type DecodeResult, type DecodeSettings, type Decoder } from './decode-core.mjs';
import { ByteBudget } from './byte-budget';

interface Job {
  path: Buffer;
  size: number;
  resolve: (result: DecodeResult) => void;
  /** Bytes the budget granted this job's decode: given back with its result. */
  granted: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Job>;
  alive: boolean;
}

/**
 * Bytes all decodes in flight may hold together, by their headers (decode-core.mjs's decodedBytes):
 * a few big images wait for each other instead of all being decoded at once.
 */
export const DECODE_BUDGET_BYTES = 512 * 1024 * 1024;
/** Below this many files, starting workers (each loads sharp: ~0.1 s) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 500;
/** Workers at most: each holds its own sharp and decoder state (tens of MB). */
const MAX_WORKERS = 8;
/** Decodes in flight per worker: enough to keep the shared libuv/libvips threads busy. */
export const IN_FLIGHT_PER_WORKER = 6;
/** In-process: libuv's 4 threads run the decodes; this many queued keeps them from idling. */
export const IN_FLIGHT_IN_PROCESS = 12;

/**
 * How many workers to use for `files` decodes. LATENTSCAPE_INGEST_WORKERS=N forces N (0 = in-process),
 * which tests use to exercise both paths.
 *
 * Measured on the 2-core machine (2,000 256² JPEGs → 64² RGB): in-process ~1,150/s at 1.6 CPU-ms per
 * image, 2 workers ~1,050/s at 1.8 — the main thread's share (sharp's option parsing, the final
 * resample) is ~0.6 ms per image, so it only becomes the bottleneck with more cores than two.
 * With more cores, one worker per core but the main thread's: a worker decodes plain JPEGs on its
 * own thread (decode-core.mjs), so the workers are not capped by libuv's shared pool of
 * UV_THREADPOOL_SIZE threads (4 by default), which only sharp's decodes still go through.
 */
export function workerCount(files: number, cores = availableParallelism()): number {
  const forced = process.env.LATENTSCAPE_INGEST_WORKERS;
  if (forced !== undefined && forced !== '' && Number.isInteger(Number(forced))) return Math.max(0, Math.min(16, Number(forced)));
  if (cores < 4 || files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.min(cores - 1, MAX_WORKERS);
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private local: Promise<Decoder> | null = null;
  private nextId = 0;
  private readonly budget: ByteBudget;
  /** The in-process decoder's way through the budget. */
  private readonly admitLocal: Admit = async (bytes) => {
    await this.budget.take(bytes);
    return () => this.budget.give(bytes);
  };

  private constructor(
    private readonly settings: DecodeSettings,
    budgetBytes: number,
  ) {
    this.budget = new ByteBudget(budgetBytes);
  }

  /** The most bytes decodes in flight held at once so far. */
  get peakDecodeBytes(): number {
    return this.budget.peak;
  }

  get workers(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Total decodes worth keeping in flight. */
  get capacity(): number {
    const n = this.workers;
    return n > 0 ? n * IN_FLIGHT_PER_WORKER : IN_FLIGHT_IN_PROCESS;
  }

  static async start(settings: DecodeSettings, workers: number, budgetBytes = DECODE_BUDGET_BYTES): Promise<DecodePool> {
    const pool = new DecodePool(settings, budgetBytes);
    // sharp must be loaded by the main thread before any worker loads it (libvips initialisation
    // and unloading are process-wide; see sharp's notes on worker threads).
    await loadSharp();
    if (workers > 0) {
      const url = new URL('./worker.mjs', import.meta.url);
      await Promise.all(Array.from({ length: workers }, () => pool.spawn(url)));
    }
    if (pool.workers === 0) pool.local = createDecoder(settings);
    return pool;
  }

  private spawn(url: URL): Promise<void> {
    return new Promise((ready) => {
      let worker: Worker;
      try {
        worker = new Worker(url, { workerData: this.settings });
      } catch {
        ready(); // e.g. the worker file is not shipped in a bundle: decode in-process instead
        return;
      }
      const slot: Slot = { worker, pending: new Map(), alive: false };
      worker.on(
        'message',
        (msg: {
          ready?: true;
          id?: number;
          need?: number;
          pixels?: Uint8Array;
          thumb?: Uint8Array | null;
          skip?: string;
          remember?: boolean;
          recheck?: boolean;
        }) => {
          if (msg.ready) {
            slot.alive = true;
            this.slots.push(slot);
            ready();
            return;
          }
          const job = slot.pending.get(msg.id!);
          if (!job) return;
          if (msg.need !== undefined) {
            const need = msg.need;
            void this.budget.take(need).then(() => {
              // The worker may have died while this job waited: its bytes go straight back.
              if (slot.alive && slot.pending.get(msg.id!) === job) {
                job.granted = need;
                slot.worker.postMessage({ grant: msg.id });
              } else {
                this.budget.give(need);
              }
            });
            return;
          }
          slot.pending.delete(msg.id!);
          this.budget.give(job.granted);
          job.resolve(
            typeof msg.skip === 'string'
              ? { skip: msg.skip, remember: msg.remember ?? false, recheck: msg.recheck }
              : { pixels: msg.pixels!, thumb: msg.thumb ?? null },
          );
        },
      );
      const fail = (): void => {
        const wasAlive = slot.alive;
        slot.alive = false;
        if (!wasAlive) ready();
        // Hand unfinished jobs to the in-process decoder.
        const orphans = [...slot.pending.values()];
        slot.pending.clear();
        for (const job of orphans) {
          this.budget.give(job.granted);
          void this.decodeLocally(job.path, job.size).then(job.resolve);
        }
      };
      worker.on('error', fail);
      worker.on('exit', fail);
    });
  }

  private decodeLocally(path: Buffer, size: number): Promise<DecodeResult> {
    this.local ??= createDecoder(this.settings);
    return this.local
      .then((d) => d.decodeFile(path, size, false, this.admitLocal))
      .catch((err: Error) => ({ skip: `cannot decode: ${err?.message ?? String(err)}`, remember: false }));
  }

  /** Decodes in this thread; call with nothing else in flight for an undisturbed libvips error. */
  decodeAlone(path: Buffer, size: number): Promise<DecodeResult> {
    return this.decodeLocally(path, size);
  }

  decode(path: Buffer, size: number): Promise<DecodeResult> {
    let best: Slot | null = null;
    for (const slot of this.slots) if (slot.alive && (!best || slot.pending.size < best.pending.size)) best = slot;
    if (!best) return this.decodeLocally(path, size);
    const slot = best;
    return new Promise((resolve) => {
      const id = this.nextId++;
      slot.pending.set(id, { path, size, resolve, granted: 0 });
      // A latin1 string carries the raw path bytes; a pooled Buffer would clone its whole 8 KB slab.
      slot.worker.postMessage({ id, path: path.toString('latin1'), size });
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.alive = false;
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
  }
}
