/**
 * ingest_vs_pillow for `latentscape bench`: the app's real ingest (cold cache, into a temp cache dir)
 * of N 256² JPEGs to 64² RGB, then Pillow on the same files (scripts/reference/pillow_ingest_bench.py:
 * draft() decode at a reduced DCT scale, then a BOX resize) with as many processes as the app decodes
 * in parallel, right after. ingest_photos_vs_pillow: the same for photo-sized JPEGs (PHOTO_SIDE²),
 * which TurboJPEG decodes at 1/8 in the DCT where it can (ingest/jpeg-scaled.mjs: Linux), sharp's
 * shrink-on-load elsewhere.
 */
import { availableParallelism } from 'node:os';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFolder, loadIngestDecoders } from '../data/image-folder';
import { writeBenchJpegs } from '../data/ingest-bench';
import { workerCount } from '../data/ingest/pool';
import { ratio, withMachineState, type MachineState } from './bench-stats';
import { runReferenceScript } from './reference-python';

export const INGEST_SIZE = 64;
/** The photo figure's JPEGs: 1,200² (a downsized photo; 1.4 megapixels) and how many of them. */
export const PHOTO_SIDE = 1200;
export const PHOTO_IMAGES = 200;

/**
 * How many decodes the app runs at once for `files` files: its worker threads, or without workers
 * libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default), which cannot run more at once than there are cores.
 */
export function ingestParallelism(files: number, cores = availableParallelism(), env: NodeJS.ProcessEnv = process.env): number {
  const workers = workerCount(files, cores);
  if (workers > 0) return workers;
  const pool = Number(env.UV_THREADPOOL_SIZE);
  return Math.max(1, Math.min(cores, Number.isInteger(pool) && pool > 0 ? pool : 4));
}

export interface IngestVsPillowRun {
  app_images_per_s: number;
  pillow_images_per_s: number | string;
  ratio: number | null;
  images: number;
  /** The JPEGs' side in pixels. */
  side: number;
  app_loaded: number;
  /** The app's cache file, written behind its dataset (not in app_images_per_s; Pillow writes none). */
  app_cache_write_ms: number;
  pillow_images: number | null;
  processes: number;
  machine: MachineState;
}

export async function benchIngestVsPillow(options: { images?: number; side?: number; reference?: boolean } = {}): Promise<IngestVsPillowRun> {
  const count = options.images ?? 1000;
  const side = options.side ?? 256;
  const work = await mkdtemp(join(tmpdir(), 'latentscape-ingest-vs-pillow-'));
  try {
    const images = join(work, 'images');
    await mkdir(images);
    // Writing the files is not timed.
    await writeBenchJpegs(images, count, side);
    const processes = ingestParallelism(count);
    // Loading the decoders is not timed: the reference script's imports run before its clock starts too.
    await loadIngestDecoders();
    const { result, machine } = await withMachineState(async () => {
      const app = await ingestFolder(images, { size: INGEST_SIZE, color: 'rgb', fit: 'cover', cacheDir: join(work, 'cache') });
      if (app.report.cache !== 'miss') throw new Error(`ingest_vs_pillow: the app's ingest found a cache (${app.report.cache}), expected a cold one`);
      // The app's figure ends with its dataset, as Pillow's ends with its pixels; the cache file the app
      // writes behind it (Pillow writes none) is timed apart, and finished before Pillow starts.
      const writeStarted = performance.now();
      await app.cacheWrite;
      const cacheWriteMs = Math.round(performance.now() - writeStarted);
      const args = ['--dir', images, '--size', String(INGEST_SIZE), '--processes', String(processes)];
      const pillow = options.reference === false ? 'not run (--no-reference)' : await runReferenceScript('pillow_ingest_bench.py', args, 'Pillow');
      return { app: app.report, pillow, cacheWriteMs };
    });
    const { app, pillow, cacheWriteMs } = result;
    const pillowRate = typeof pillow === 'string' ? pillow : Number(pillow.images_per_s);
    return {
      app_images_per_s: Math.round(app.images_per_s),
      pillow_images_per_s: typeof pillowRate === 'string' ? pillowRate : Math.round(pillowRate),
      ratio: typeof pillowRate === 'string' ? null : ratio(app.images_per_s, pillowRate),
      images: count,
      side,
      app_loaded: app.loaded,
      app_cache_write_ms: cacheWriteMs,
      pillow_images: typeof pillow === 'string' ? null : Number(pillow.images),
      processes,
      machine,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
