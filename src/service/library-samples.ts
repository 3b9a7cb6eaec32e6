/**
 * The library's sample strips: a few images decoded from z ~ N(0, I) with a fixed seed, by the engine
 * on a model loaded on the side (the open model stays as it is). Kept in memory per folder, manifest
 * date and count, so a retrained (new date) or renamed (new folder) model gets a fresh strip; nothing
 * is written anywhere, least of all into the model's folder (the default model is read-only).
 */
import { DEFAULT_MODEL_SAMPLES, MODEL_SAMPLES_SEED, type Images } from '../shared/contract';
import type { EngineSupervisor } from './engine-supervisor';

/** Bytes of strips kept (a strip of 8 images of 64×64 RGB is 96 KB; 512×512 RGB models take 6 MB). */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

export class SampleStrips {
  /** Key → strip, in the order they were last used (the first is dropped first). */
  private readonly cache = new Map<string, Images>();
  private readonly pending = new Map<string, Promise<Images>>();
  private bytes = 0;

  constructor(private readonly engine: EngineSupervisor) {}

  /** The strip of the model in `dir`, whose manifest says `updatedAt`. */
  async strip(dir: string, updatedAt: string, count = DEFAULT_MODEL_SAMPLES): Promise<Images> {
    const key = JSON.stringify([dir, updatedAt, count]);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    // Rows that become visible together ask once per model.
    let request = this.pending.get(key);
    if (!request) {
      request = this.engine.request('modelSamples', { dir, count, seed: MODEL_SAMPLES_SEED });
      this.pending.set(key, request);
      void request.then(
        (images) => this.keep(key, images),
        () => {},
      );
      void request.finally(() => this.pending.delete(key)).catch(() => {});
    }
    return request;
  }

  private keep(key: string, images: Images): void {
    if (this.cache.has(key)) return;
    this.cache.set(key, images);
    this.bytes += images.pixels.byteLength;
    for (const [old, strip] of this.cache) {
      if (this.bytes <= MAX_CACHED_BYTES) break;
      this.cache.delete(old);
      this.bytes -= strip.pixels.byteLength;
    }
  }

  /** How many strips are kept (the tests check that a new date makes a new one). */
  get size(): number {
    return this.cache.size;
  }
}
