/**
 * "Open your own image folder": every image under a folder → a Dataset (uint8 pixels at the model's
 * size, labels from first-level subfolders, thumbnails, seeded split, fingerprint).
 *
 * Flow: scan (ingest/scan.ts) → reuse unchanged files from the cache (ingest/cache.ts) → decode the
 * rest with many files in flight, so the decoders keep every core busy (ingest/pool.ts; worker
 * threads on machines with 4+ cores; decode-core.mjs: sharp, or TurboJPEG for plain JPEGs as in
 * jpeg-fast.mjs; resample.mjs) → compact → write the cache.
 * Pixels go straight from the decoder (or the cache file) into one preallocated array: no second full
 * copy, so 100k images at 64×64 RGB stay near their 1.2 GB. Bad files never throw: each becomes a
 * { file, reason } in the report.
 */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { seededSplit, type Dataset } from './dataset';
import { openCache, readCached, writeCacheBehind, type CacheRecord } from './ingest/cache';
import { ByteBudget } from './ingest/byte-budget';
import { DecodePool, workerCount } from './ingest/pool';
import { loadSharp } from './ingest/decode-core.mjs';
import { loadJpegTurbo } from './ingest/jpeg-fast.mjs';
import { loadScaledJpeg } from './ingest/jpeg-scaled.mjs';
import { scanFolder, type ScannedFile } from './ingest/scan';
import { appCacheDir } from '../../node/cache-dir';
import { backgroundRgb, parseBackground } from '../../shared/background';
import { DEFAULT_BACKGROUND, type ColorMode, type FitMode } from '../../shared/vocabulary';

export interface IngestOptions {
  /** Model size (square): 28, 32, 64, 128… */
  size: number;
  color: ColorMode;
  fit: FitMode;
  /** What alpha is flattened onto and contain pads with ('white', 'black', '#rrggbb'; shared/background.ts), default white. */
  background?: string;
  /** Seeded train/test split, default 0.1. */
  testFraction?: number;
  /** Default 0. */
  seed?: number;
  /** Default: <XDG_CACHE_HOME or ~/.cache>/latentscape/ingest. */
  cacheDir?: string;
  /** Default 32. */
  thumbSize?: number;
  /** Cancel → the promise rejects with an Error whose name is 'AbortError'. */
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; loaded: number; skipped: number }) => void;
}

export interface IngestReport {
  found: number;
  loaded: number;
  skipped: { file: string; reason: string }[];
  images_per_s: number;
  cache: 'hit' | 'miss' | 'partial';
  /** Until the dataset was ready; the cache file is written after that (IngestResult's cacheWrite). */
  seconds: number;
}

export interface IngestResult {
  dataset: Dataset;
  report: IngestReport;
  /**
   * The cache file, written behind the returned dataset: resolves to null once written, or to why it
   * was not (a full or read-only disk: the next ingest of the folder then decodes every image again).
   * Never rejects. Awaiting it is only needed to report that warning or to exit cleanly.
   */
  cacheWrite: Promise<string | null>;
}

/** Bump when decoding changes in a way that changes pixels: old cache files are then ignored. */
const INGEST_VERSION = 3;
/** File bytes held in memory at once by the decode loop (one bigger file may still go alone). */
const IN_FLIGHT_BYTES = 256 * 1024 * 1024;
const PROGRESS_EVERY_MS = 100;

export function defaultCacheDir(): string {
  return join(appCacheDir(), 'ingest');
}

function abortError(): Error {
  const err = new Error('ingest cancelled');
  err.name = 'AbortError';
  return err;
}

interface Settings {
  size: number;
  color: ColorMode;
  fit: FitMode;
  background: [number, number, number];
  testFraction: number;
  seed: number;
  thumbSize: number;
  cacheDir: string;
}

function checkOptions(options: IngestOptions): Settings {
  const { size, color, fit } = options ?? ({} as IngestOptions);
  if (!Number.isInteger(size) || size < 4 || size > 1024) throw new Error(`ingest: size must be an integer from 4 to 1024, got ${size}`);
  if (color !== 'gray' && color !== 'rgb') throw new Error(`ingest: color must be "gray" or "rgb", got ${JSON.stringify(color)}`);
  if (fit !== 'cover' && fit !== 'contain') throw new Error(`ingest: fit must be "cover" or "contain", got ${JSON.stringify(fit)}`);
  const testFraction = options.testFraction ?? 0.1;
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error(`ingest: testFraction must be in [0, 1), got ${testFraction}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`ingest: seed must be an integer, got ${seed}`);
  const thumbSize = options.thumbSize ?? 32;
  if (!Number.isInteger(thumbSize) || thumbSize < 4 || thumbSize > 1024)
    throw new Error(`ingest: thumbSize must be an integer from 4 to 1024, got ${thumbSize}`);
  return {
    size,
    color,
    fit,
    testFraction,
    seed,
    thumbSize,
    background: parseColor(options.background ?? DEFAULT_BACKGROUND),
    cacheDir: options.cacheDir ?? defaultCacheDir(),
  };
}

let decoderVersion: string | null = null;
/** sharp's version, read from its package.json so a cache hit does not have to load sharp. */
function sharpVersion(): string {
  if (decoderVersion === null) {
    try {
      const require = createRequire(import.meta.url);
      let dir = dirname(require.resolve('sharp'));
      for (let i = 0; i < 3; i++, dir = dirname(dir)) {
        try {
          const pkg = require(join(dir, 'package.json')) as { name?: string; version?: string };
          if (pkg.name === 'sharp') {
            decoderVersion = pkg.version ?? 'unknown';
            break;
          }
        } catch {
          // keep climbing
        }
      }
    } catch {
      // unresolvable sharp: decoding will say so
    }
    decoderVersion ??= 'unknown';
  }
  return decoderVersion;
}

let turboPackageVersion: string | null = null;
/**
 * Which decoder plain JPEGs get (ingest/jpeg-fast.mjs): TurboJPEG's package version, with "scaled" where
 * it decodes big ones at a reduced DCT scale (ingest/jpeg-scaled.mjs; their pixels differ from a
 * full-size decode's), or 'sharp' when it is turned off or cannot load. Its pixels differ from sharp's
 * by a level or two.
 */
async function jpegDecoder(): Promise<string> {
  if (process.env.LATENTSCAPE_INGEST_JPEG === 'sharp') return 'sharp';
  const [turbo, scaled] = await Promise.all([loadJpegTurbo(), loadScaledJpeg()]);
  if (!turbo) return 'sharp';
  if (turboPackageVersion === null) {
    try {
      const require = createRequire(import.meta.url);
      turboPackageVersion = (require('@julusian/jpeg-turbo/package.json') as { version?: string }).version ?? 'unknown';
    } catch {
      turboPackageVersion = 'unknown';
    }
  }
  return `turbo ${turboPackageVersion}${scaled ? ' scaled' : ''}`;
}

/**
 * Loads the ingest's decoders ahead of time (sharp, TurboJPEG and its scaled lane): what a Python script's
 * imports do before its clock starts. `latentscape bench` calls it before it times an ingest against
 * Pillow, so that neither side counts loading its libraries.
 */
export async function loadIngestDecoders(): Promise<void> {
  await Promise.all([loadSharp(), jpegDecoder()]);
}

const PENDING = 0;
const LOADED = 1;
const SKIPPED = 2;

export async function ingestFolder(path: string, options: IngestOptions): Promise<IngestResult> {
  const started = performance.now();
  const settings = checkOptions(options);
  const { signal, onProgress } = options;
  const checkAbort = (): void => {
    if (signal?.aborted) throw abortError();
  };
  checkAbort();

  const root = resolve(path);
  const rootInfo = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `folder not found: ${path}` : `cannot open ${path}: ${err.message}`);
  });
  if (!rootInfo.isDirectory()) throw new Error(`not a folder: ${path}`);
  const realRoot = await realpath(root);
  const scan = await scanFolder(realRoot, checkAbort).catch((err: NodeJS.ErrnoException) => {
    if (err?.name === 'AbortError') throw err;
    throw new Error(
      err?.code === 'EACCES' || err?.code === 'EPERM' ? `cannot read folder ${path}: permission denied` : `cannot read folder ${path}: ${err?.message}`,
    );
  });
  const files = scan.files;
  const n = files.length;
  const total = n + scan.skipped.length;

  const { size, color, fit, thumbSize } = settings;
  const channels = color === 'gray' ? 1 : 3;
  const imageBytes = size * size * channels;
  // Thumbnails at the model size are the pixels themselves (as MNIST does): no second array.
  const thumbsShared = thumbSize === size;
  const thumbBytes = thumbsShared ? 0 : thumbSize * thumbSize * channels;
  const pixels = new Uint8Array(n * imageBytes);
  const thumbs = thumbsShared ? null : new Uint8Array(n * thumbBytes);
  const status = new Uint8Array(n);
  const reasons: (string | undefined)[] = new Array(n);
  /** Skips that depend only on the file's bytes (worth remembering while size and mtime hold). */
  const cacheable = new Uint8Array(n);

  let loaded = 0;
  let skippedCount = scan.skipped.length;
  let done = scan.skipped.length;
  let lastProgress = 0;
  const progress = (force = false): void => {
    if (!onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    onProgress({ done, total, loaded, skipped: skippedCount });
  };
  progress(true);

  // 1. Reuse what the cache has for unchanged files. The background is in the key as sRGB hex: a folder
  // flattened onto black is never reused for white, and caches written when black was the only
  // background (keyed '#000000' then too) still match a legacy black ingest.
  const settingsKey = JSON.stringify({
    v: INGEST_VERSION,
    size,
    color,
    fit,
    background: toHex(settings.background),
    // A coloured background is flattened in sRGB (decode-core.mjs): caches from before that are not reused.
    ...(settings.background[0] !== settings.background[1] || settings.background[1] !== settings.background[2] ? { flatten: 'srgb' } : {}),
    thumbSize: thumbsShared ? 'shared' : thumbSize,
    sharp: sharpVersion(),
    jpeg: await jpegDecoder(),
  });
  const cachePath = join(settings.cacheDir, `${createHash('sha256').update(`${realRoot}\n${settingsKey}`).digest('hex').slice(0, 40)}.bin`);
  let cacheState: IngestReport['cache'] = 'miss';
  const cache = await openCache(cachePath, settingsKey);
  checkAbort();
  if (cache) {
    const byKey = new Map<string, CacheRecord>();
    for (const record of cache.header.records) byKey.set(record[0], record);
    const destOf = new Int32Array(cache.header.count).fill(-1);
    let matched = 0;
    for (let i = 0; i < n; i++) {
      const record = byKey.get(files[i].key);
      if (!record || record[1] !== files[i].size || record[2] !== files[i].mtimeNs) continue;
      matched++;
      if (typeof record[3] === 'number') {
        destOf[record[3]] = i;
        status[i] = LOADED;
      } else {
        status[i] = SKIPPED;
        reasons[i] = record[3];
        cacheable[i] = 1;
      }
    }
    if (matched > 0 && (await readCached(cache, destOf, pixels, thumbs, checkAbort))) {
      for (let i = 0; i < n; i++) {
        if (status[i] === LOADED) loaded++;
        else if (status[i] === SKIPPED) skippedCount++;
      }
      done += matched;
      cacheState = matched === n && cache.header.records.length === n ? 'hit' : 'partial';
    } else {
      // Nothing usable, or a damaged cache file: start over as if there were none.
      status.fill(PENDING);
      reasons.fill(undefined);
      cacheable.fill(0);
    }
    progress(true);
  }

  // 2. Decode everything the cache did not cover.
  const todo: number[] = [];
  for (let i = 0; i < n; i++) if (status[i] === PENDING) todo.push(i);
  if (todo.length > 0) {
    const pool = await DecodePool.start(
      { size, color, fit, background: settings.background, thumbSize: thumbsShared ? 0 : thumbSize },
      workerCount(todo.length),
    );
    try {
      const budget = new ByteBudget(IN_FLIGHT_BYTES);
      const recheck: number[] = [];
      const decodeOne = async (i: number, alone = false): Promise<void> => {
        const file = files[i];
        await budget.take(file.size);
        try {
          const result = alone ? await pool.decodeAlone(file.abs, file.size) : await pool.decode(file.abs, file.size);
          if ('skip' in result && result.recheck && !alone) {
            recheck.push(i);
          } else if ('skip' in result) {
            status[i] = SKIPPED;
            reasons[i] = result.skip;
            cacheable[i] = result.remember ? 1 : 0;
            skippedCount++;
          } else {
            pixels.set(result.pixels, i * imageBytes);
            if (thumbs && result.thumb) thumbs.set(result.thumb, i * thumbBytes);
            status[i] = LOADED;
            loaded++;
          }
        } finally {
          budget.give(file.size);
        }
      };
      let next = 0;
      const runner = async (): Promise<void> => {
        while (next < todo.length && !signal?.aborted) {
          await decodeOne(todo[next++]);
          done++;
          progress();
        }
      };
      // Every runner finishes its current image before the abort is reported: no decode outlives us.
      await Promise.all(Array.from({ length: Math.min(pool.capacity, todo.length) }, runner));
      // Failed decodes once more, one at a time, so each reason is the file's own.
      for (const i of recheck) {
        if (signal?.aborted) break;
        await decodeOne(i, true);
      }
    } finally {
      await pool.close();
    }
    checkAbort();
  }
  progress(true);

  // 3. Compact the loaded images to the front, in scan (sorted) order.
  const kept: ScannedFile[] = [];
  const records: CacheRecord[] = [];
  for (let i = 0; i < n; i++) {
    const file = files[i];
    if (status[i] === LOADED) {
      const slot = kept.length;
      if (slot !== i) {
        pixels.copyWithin(slot * imageBytes, i * imageBytes, (i + 1) * imageBytes);
        thumbs?.copyWithin(slot * thumbBytes, i * thumbBytes, (i + 1) * thumbBytes);
      }
      kept.push(file);
      records.push([file.key, file.size, file.mtimeNs, slot]);
    } else if (cacheable[i]) {
      records.push([file.key, file.size, file.mtimeNs, reasons[i] ?? 'skipped']);
    }
  }
  const count = kept.length;
  const finalPixels = trim(pixels, count * imageBytes);
  const finalThumbs = thumbs ? trim(thumbs, count * thumbBytes) : finalPixels;

  // 4. Remember the result for next time (unless it came from the cache as is), behind the dataset's
  // return: writing ~15 MB per 1,000 images took 25–80 ms of a ~350 ms ingest on a 2-core machine.
  if (cacheState !== 'hit') checkAbort();
  const cacheWrite =
    cacheState === 'hit'
      ? Promise.resolve(null)
      : writeCacheBehind(
          cachePath,
          { settings: settingsKey, root: realRoot, count, imageBytes, thumbBytes, records },
          finalPixels,
          thumbs ? finalThumbs : null,
        );

  // 5. The dataset.
  const labelNames = [...new Set(kept.map((f) => f.labelName).filter((l): l is string => l !== null))].sort();
  const labelIndex = new Map(labelNames.map((name, i) => [name, i]));
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = kept[i].labelName === null ? -1 : labelIndex.get(kept[i].labelName!)!;

  const fingerprint = createHash('sha256');
  // The background is part of it as sRGB hex, as it was when black was the only one: old models' fingerprints still match a black ingest.
  fingerprint.update(
    JSON.stringify({ kind: 'folder', size, color, fit, background: toHex(settings.background), testFraction: settings.testFraction, seed: settings.seed }),
  );
  for (const file of kept) fingerprint.update(`\n${Buffer.from(file.key, 'latin1').toString('base64')}\t${file.size}\t${file.mtimeNs}`);

  const dataset: Dataset = {
    name: basename(root),
    source: { kind: 'folder', path: root },
    height: size,
    width: size,
    channels,
    count,
    pixels: finalPixels,
    labels,
    labelNames,
    files: kept.map((f) => f.display),
    thumbnails: { size: thumbSize, pixels: finalThumbs },
    split: seededSplit(count, settings.testFraction, settings.seed),
    fingerprint: fingerprint.digest('hex'),
  };

  const skipped = [
    ...scan.skipped.map((s) => ({ key: s.key, file: s.file, reason: s.reason })),
    ...files.flatMap((f, i) => (status[i] === SKIPPED ? [{ key: f.key, file: f.display, reason: reasons[i] ?? 'skipped' }] : [])),
  ]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ file, reason }) => ({ file, reason }));
  const seconds = (performance.now() - started) / 1000;
  const report: IngestReport = {
    found: total,
    loaded: count,
    skipped,
    images_per_s: seconds > 0 ? count / seconds : 0,
    cache: cacheState,
    seconds,
  };
  return { dataset, report, cacheWrite };
}

/** The first `bytes` of `array`; copied only when the unused tail would waste a lot of memory. */
function trim(array: Uint8Array, bytes: number): Uint8Array {
  if (bytes === array.length) return array;
  return array.length - bytes > array.length / 4 ? array.slice(0, bytes) : array.subarray(0, bytes);
}

/** 'white', 'black', '#rrggbb' or '#rgb' → [r, g, b]. */
export function parseColor(text: string): [number, number, number] {
  try {
    return backgroundRgb(parseBackground(text));
  } catch (err) {
    throw new Error(`ingest: ${(err as Error).message}`);
  }
}

function toHex(rgb: [number, number, number]): string {
  return '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
}
