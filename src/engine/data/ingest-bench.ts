/**
 * Ingest benchmark for `latentscape bench`: 2,000 varied 256×256 JPEGs → 64×64 RGB, first with an
 * empty cache (decode speed), then again (cache hit). Generating the images is not timed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFolder } from './image-folder';
import { loadSharp } from './ingest/decode-core.mjs';

export interface IngestBench {
  ingest_images_per_s: number;
  ingest_cached_speedup: number;
  /** The first ingest's cache file, written after its dataset was ready (not in ingest_images_per_s). */
  ingest_cache_write_ms: number;
}

/**
 * Writes `count` JPEGs of `side`² with smooth gradients, a disc and grain, different per image (so the
 * decoder sees photo-like entropy, not a repeated or flat image).
 */
export async function writeBenchJpegs(dir: string, count: number, side = 256, seed = 1): Promise<void> {
  const sharp = await loadSharp();
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  // Per-channel waves along x, y and the diagonal.
  const waveX = new Float32Array(side);
  const waveY = new Float32Array(side);
  const waveD = new Float32Array(2 * side);
  const jobs: Promise<unknown>[] = [];
  for (let n = 0; n < count; n++) {
    const pixels = Buffer.allocUnsafe(side * side * 3);
    const phase = [rand() * 6.28, rand() * 6.28, rand() * 6.28];
    const freq = [10 + rand() * 40, 10 + rand() * 40, 10 + rand() * 40];
    for (let i = 0; i < side; i++) waveX[i] = 128 + 90 * Math.sin(phase[0] + i / freq[0]);
    for (let i = 0; i < side; i++) waveY[i] = 128 + 90 * Math.sin(phase[1] + i / freq[1]);
    for (let i = 0; i < 2 * side; i++) waveD[i] = 128 + 90 * Math.sin(phase[2] + i / freq[2]);
    const cx = rand() * side;
    const cy = rand() * side;
    const r2 = (side * (0.1 + rand() * 0.3)) ** 2;
    const disc = [rand() * 255, rand() * 255, rand() * 255];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const o = (y * side + x) * 3;
        const grain = (rand() - 0.5) * 30;
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r2;
        pixels[o] = Math.max(0, Math.min(255, (inside ? disc[0] : waveX[x]) + grain));
        pixels[o + 1] = Math.max(0, Math.min(255, (inside ? disc[1] : waveY[y]) + grain));
        pixels[o + 2] = Math.max(0, Math.min(255, (inside ? disc[2] : waveD[x + y]) + grain));
      }
    }
    jobs.push(
      sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
        .jpeg({ quality: 85 })
        .toFile(join(dir, `img${String(n).padStart(5, '0')}.jpg`)),
    );
    if (jobs.length >= 8) {
      await Promise.all(jobs);
      jobs.length = 0;
    }
  }
  await Promise.all(jobs);
}

export async function benchIngest(count = 2000): Promise<IngestBench> {
  const work = await mkdtemp(join(tmpdir(), 'latentscape-ingest-bench-'));
  try {
    const images = join(work, 'images');
    const cacheDir = join(work, 'cache');
    await mkdir(images);
    await writeBenchJpegs(images, count);
    const options = { size: 64, color: 'rgb', fit: 'cover', cacheDir } as const;
    const first = await ingestFolder(images, options);
    // The cache file is written behind the first ingest's dataset: its time apart, then the cached ingest.
    const writeStarted = performance.now();
    const cacheWarning = await first.cacheWrite;
    if (cacheWarning) throw new Error(`ingest bench: ${cacheWarning}`);
    const cacheWriteMs = performance.now() - writeStarted;
    const second = await ingestFolder(images, options);
    if (first.report.loaded !== count || second.report.loaded !== count) {
      throw new Error(`ingest bench: loaded ${first.report.loaded} then ${second.report.loaded} of ${count} images`);
    }
    if (second.report.cache !== 'hit') throw new Error(`ingest bench: second ingest was a cache ${second.report.cache}, expected a hit`);
    return {
      ingest_images_per_s: Math.round(first.report.images_per_s),
      ingest_cached_speedup: Math.round((first.report.seconds / second.report.seconds) * 10) / 10,
      ingest_cache_write_ms: Math.round(cacheWriteMs),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
