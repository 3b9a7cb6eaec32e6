/**
 * TurboJPEG with DCT scaling (ingest/jpeg-scaled.mjs): which scale a file gets, that a scaled decode is
 * the image at that size (close to an area average of the full decode; the full size bit for bit the
 * binding's), that TurboJPEG's errors and warnings come back as false, and which files the ingest sends
 * down this lane.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import sharp from 'sharp';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createDecoder, type DecodeResult, type DecodeSettings } from '../../../../src/engine/data/ingest/decode-core.mjs';
import { loadJpegTurbo } from '../../../../src/engine/data/ingest/jpeg-fast.mjs';
import { IN_FLIGHT_IN_PROCESS } from '../../../../src/engine/data/ingest/pool';
import { dctEighths, loadScaledJpeg, scaledSide } from '../../../../src/engine/data/ingest/jpeg-scaled.mjs';
import { SEED } from '../../fuzz/mutate';
import { photoRamp, tempDir, withJpegDecoder } from './image-fixtures';

const scaled = await loadScaledJpeg();
const turbo = await loadJpegTurbo();
const why = 'DCT scaling needs koffi and @julusian/jpeg-turbo on Linux (optional dependencies); without them the binding decodes at full size';

/** A photo-like JPEG: smooth ramps with a little texture. */
function photo(width: number, height: number, options: { progressive?: boolean } = {}): Promise<Buffer> {
  return photoRamp(width, height, (x, y) => 96 + 60 * Math.sin(x / 9) * Math.cos(y / 13))
    .jpeg({ quality: 90, progressive: options.progressive ?? false })
    .toBuffer();
}

/** The n×n block mean of an RGB image (n divides both sides). */
function blockMean(rgb: Uint8Array, width: number, height: number, n: number): Float64Array {
  const w = width / n;
  const h = height / n;
  const out = new Float64Array(w * h * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) out[(Math.floor(y / n) * w + Math.floor(x / n)) * 3 + c] += rgb[(y * width + x) * 3 + c] / (n * n);
    }
  }
  return out;
}

function differences(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; worst: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    worst = Math.max(worst, d);
  }
  return { mean: sum / a.length, worst };
}

describe('dctEighths: the scale a JPEG is decoded at', () => {
  it('is the smallest of 1/8, 1/4, 1/2 that leaves the side at least the need, else full size', () => {
    expect(dctEighths(1200, 128)).toBe(1); // 150
    expect(dctEighths(1000, 128)).toBe(2); // 125 at 1/8 is short: 250
    expect(dctEighths(256, 128)).toBe(4);
    expect(dctEighths(255, 128)).toBe(4); // 127.5 at 1/2, rounded up: 128
    expect(dctEighths(200, 128)).toBe(8);
    expect(dctEighths(64, 128)).toBe(8);
  });

  it('rounds a scaled side up, as TurboJPEG does', () => {
    expect(scaledSide(255, 4)).toBe(128);
    expect(scaledSide(1201, 1)).toBe(151);
    expect(scaledSide(7, 1)).toBe(1);
    expect(scaledSide(640, 8)).toBe(640);
  });
});

describe('loadScaledJpeg: decoding at a reduced DCT scale', () => {
  it('decodes at full size bit for bit as the binding does, on the thread pool and on this thread', async ({ skip }) => {
    skip(!scaled || !turbo, why);
    const jpeg = await photo(97, 61);
    const binding = turbo!.decompressSync(jpeg, Buffer.alloc(97 * 61 * 3), { format: turbo!.FORMAT_RGB }).data;
    for (const sync of [false, true]) {
      const out = Buffer.alloc(97 * 61 * 3);
      expect(await scaled!.decode(jpeg, out, 97, 61, false, sync)).toBe(true);
      expect(out.equals(binding)).toBe(true);
    }
  });

  it('at 1/2, 1/4 and 1/8 gives the image at that size, close to the block mean of the full decode', async ({ skip }) => {
    skip(!scaled || !turbo, why);
    const jpeg = await photo(256, 192);
    const full = turbo!.decompressSync(jpeg, Buffer.alloc(256 * 192 * 3), { format: turbo!.FORMAT_RGB }).data;
    for (const eighths of [4, 2, 1]) {
      const n = 8 / eighths;
      const out = Buffer.alloc((256 / n) * (192 / n) * 3);
      expect(await scaled!.decode(jpeg, out, 256 / n, 192 / n, false, false)).toBe(true);
      const { mean, worst } = differences(out, blockMean(full, 256, 192, n));
      expect(mean).toBeLessThan(1.5);
      expect(worst).toBeLessThan(16);
    }
  });

  it('decodes gray JPEGs to one channel', async ({ skip }) => {
    skip(!scaled, why);
    const gray = await sharp(await photo(64, 64))
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    const out = Buffer.alloc(16 * 16);
    expect(await scaled!.decode(gray, out, 16, 16, true, false)).toBe(true);
    expect(new Set(out).size).toBeGreaterThan(8);
  });

  it('says false for a truncated file (a TurboJPEG warning) and for bytes that are no JPEG', async ({ skip }) => {
    skip(!scaled, why);
    const jpeg = await photo(128, 128);
    const out = Buffer.alloc(128 * 128 * 3);
    expect(await scaled!.decode(jpeg.subarray(0, jpeg.length >> 1), out, 32, 32, false, false)).toBe(false);
    expect(await scaled!.decode(Buffer.from('not a jpeg at all'), out, 32, 32, false, true)).toBe(false);
  });

  it('keeps koffi’s memory for as many asynchronous calls as the ingest has in flight', ({ skip }) => {
    skip(!scaled, why);
    // Loaded under this name by jpeg-scaled.mjs; fewer resident sets make every call beyond them map fresh memory.
    const koffi = createRequire(import.meta.url)('koffi') as { config(): { resident_async_pools: number } };
    expect(koffi.config().resident_async_pools).toBeGreaterThanOrEqual(IN_FLIGHT_IN_PROCESS);
  });
});

describe('damaged JPEGs through the scaled lane', () => {
  it('a decode never writes past width × height × channels, whatever the bytes and the size asked', async ({ skip }) => {
    skip(!scaled, why);
    const jpeg = await photo(320, 240);
    const damaged = fc.tuple(
      fc.array(fc.tuple(fc.nat(jpeg.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
      fc.integer({ min: 2, max: jpeg.length }),
    );
    await fc.assert(
      fc.asyncProperty(
        damaged,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        async ([edits, keep], width, height, sync) => {
          const bytes = Buffer.from(jpeg.subarray(0, keep));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const size = width * height * 3;
          const out = Buffer.alloc(size + 4096, 0xa5);
          expect(typeof (await scaled!.decode(bytes, out, width, height, false, sync))).toBe('boolean');
          expect(out.subarray(size).every((b) => b === 0xa5)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('damaged photo-sized JPEGs through the ingest', () => {
  it('each decodes to the model size or is skipped with a reason', async () => {
    const jpeg = await photo(800, 600);
    const decoder = await createDecoder({ size: 32, color: 'rgb', fit: 'cover', background: [0, 0, 0], thumbSize: 16 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(jpeg.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: 2, max: jpeg.length }),
        async (edits, keep) => {
          const bytes = Buffer.from(jpeg.subarray(0, keep));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const result = await decoder.decodeBytes(bytes);
          if ('skip' in result) expect(result.skip).toMatch(/\w/);
          else expect([result.pixels.length, result.thumb?.length]).toEqual([32 * 32 * 3, 16 * 16 * 3]);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});

async function decodeWith(lane: 'full' | undefined, settings: DecodeSettings, bytes: Buffer): Promise<Uint8Array> {
  const path = join(await tempDir('jpeg-scaled'), 'a.jpg');
  await writeFile(path, bytes);
  const result: DecodeResult = await withJpegDecoder(lane, async () => (await createDecoder(settings)).decodeFile(path, bytes.length));
  if ('skip' in result) throw new Error(`skipped: ${result.skip}`);
  return result.pixels;
}

describe('the ingest: which files take the scaled lane', () => {
  const settings: DecodeSettings = { size: 64, color: 'rgb', fit: 'cover', background: [255, 255, 255], thumbSize: 32 };

  it('a photo-sized baseline JPEG: decoded at 1/8, nearer the area average of its full decode than sharp is', async ({ skip }) => {
    skip(!scaled || !turbo, why);
    // 1,536 × 1,152, cover: the centre 1,152² in 18 × 18 blocks is the exact area average to 64².
    const [width, height] = [1536, 1152];
    const jpeg = await photo(width, height);
    const full = turbo!.decompressSync(jpeg, Buffer.alloc(width * height * 3), { format: turbo!.FORMAT_RGB }).data;
    const centre = Buffer.alloc(height * height * 3);
    for (let y = 0; y < height; y++) full.copy(centre, y * height * 3, (y * width + (width - height) / 2) * 3, (y * width + (width + height) / 2) * 3);
    const truth = blockMean(centre, height, height, height / 64);
    const decode = vi.spyOn(scaled!, 'decode');
    const viaScale = differences(await decodeWith(undefined, settings, jpeg), truth);
    expect(decode.mock.calls.map((call) => call.slice(2, 4))).toEqual([[192, 144]]);
    decode.mockRestore();
    // With the lane off, such a file goes to sharp: it loads it at 1/8 too, then resizes with lanczos3
    // to 2× the final side before the area average, which rings.
    const viaSharp = differences(await decodeWith('full', settings, jpeg), truth);
    expect(viaScale.mean).toBeLessThan(1.5);
    expect(viaScale.worst).toBeLessThan(10);
    expect(viaScale.mean).toBeLessThan(viaSharp.mean / 2);
  });

  it('a photo-sized progressive JPEG stays with sharp (its coefficients are held whole; sharp counts them)', async ({ skip }) => {
    skip(!scaled, why);
    const jpeg = await photo(1600, 1200, { progressive: true });
    expect(Buffer.from(await decodeWith(undefined, settings, jpeg)).equals(Buffer.from(await decodeWith('full', settings, jpeg)))).toBe(true);
  });
});
