/**
 * The library's sample strips: a few images decoded from z drawn from the model's fitted latent density
 * (N(0, I) for a model without one) with a fixed seed, by the engine
 * on a model loaded on the side (the open model stays as it is). Kept in memory per folder, manifest
 * date and count, so a retrained (new date) or renamed (new folder) model gets a fresh strip; nothing
 * is written anywhere, least of all into the model's folder (the default model is read-only).
 *
 * The engine is asked for one strip at a time: each loads a whole model (up to MAX_PARAMETERS
 * weights), and a page that shows many rows at once must not load them all together.
 */
import { DEFAULT_MODEL_SAMPLES, MODEL_SAMPLES_SEED, type Images } from '../shared/contract';
import type { EngineSupervisor } from './engine-supervisor';

/** Bytes of strips kept (a strip of 8 images of 64×64 RGB is 96 KB; of 512×512 RGB, 6 MB). */
export const MAX_CACHED_STRIP_BYTES = 64 * 1024 * 1024;

export class SampleStrips {
  /** Key → strip, in the order they were last used (the first is dropped first). */
  private readonly cache = new Map<string, Images>();
  private readonly pending = new Map<string, Promise<Images>>();
  /** The end of the queue of engine requests (each starts when the one before has ended). */
  private queue: Promise<unknown> = Promise.resolve();
  private bytes = 0;

  constructor(private readonly engine: Pick<EngineSupervisor, 'request'>) {}

  /** The strip of the model in `dir`, whose manifest says `updatedAt`. */
  strip(dir: string, updatedAt: string, count = DEFAULT_MODEL_SAMPLES): Promise<Images> {
    const key = JSON.stringify([dir, updatedAt, count]);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return Promise.resolve(cached);
    }
    // Rows that become visible together ask once per model.
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    const request = this.queue.then(() => this.engine.request('modelSamples', { dir, count, seed: MODEL_SAMPLES_SEED }));
    this.queue = request.catch(() => {});
    this.pending.set(key, request);
    request.then(
      (images) => {
        this.pending.delete(key);
        this.keep(key, images);
      },
      () => this.pending.delete(key),
    );
    return request;
  }

  private keep(key: string, images: Images): void {
    this.cache.set(key, images);
    this.bytes += images.pixels.byteLength;
    for (const [old, strip] of this.cache) {
      if (this.bytes <= MAX_CACHED_STRIP_BYTES) break;
      this.cache.delete(old);
      this.bytes -= strip.pixels.byteLength;
    }
  }

  /** The strips kept, by key (tests check what is cached). */
  get size(): number {
    return this.cache.size;
  }
}
