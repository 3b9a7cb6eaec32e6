/** Image files made on the fly for the ingest tests, in temporary folders removed after each file's tests. */
import { afterAll } from 'vitest';
import sharp, { type Sharp } from 'sharp';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { IngestOptions } from '../../../../src/engine/data/image-folder';

export const repoRoot = resolve(__dirname, '../../../..');
const made: string[] = [];
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ls-ingest-${prefix}-`));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** A w×h image of one colour, in any format sharp writes. */
export function solid(w: number, h: number, rgb: [number, number, number], alpha?: number): Sharp {
  const channels = alpha === undefined ? 3 : 4;
  const background = alpha === undefined ? { r: rgb[0], g: rgb[1], b: rgb[2] } : { r: rgb[0], g: rgb[1], b: rgb[2], alpha };
  return sharp({ create: { width: w, height: h, channels, background } });
}

/** A photo-like image: red ramps across, green down, and `blue` gives it texture. */
export function photoRamp(w: number, h: number, blue: (x: number, y: number) => number): Sharp {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 255) / w;
      data[o + 1] = (y * 255) / h;
      data[o + 2] = blue(x, y);
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } });
}

/** Runs `run` with LATENTSCAPE_INGEST_JPEG set to `decoder` (unset: the default lanes), then puts it back. */
export async function withJpegDecoder<T>(decoder: 'sharp' | 'full' | undefined, run: () => Promise<T>): Promise<T> {
  const before = process.env.LATENTSCAPE_INGEST_JPEG;
  if (decoder) process.env.LATENTSCAPE_INGEST_JPEG = decoder;
  else delete process.env.LATENTSCAPE_INGEST_JPEG;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.LATENTSCAPE_INGEST_JPEG;
    else process.env.LATENTSCAPE_INGEST_JPEG = before;
  }
}

/** Deterministic noise: entropy-heavy, so a cut-off file is really missing image data. */
export function noise(w: number, h: number, seed = 1): Sharp {
  const data = Buffer.alloc(w * h * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } });
}

/** A valid PNG whose header claims 100000×100000 pixels (a decompression bomb's calling card). */
export async function enormousPng(): Promise<Buffer> {
  const png = Buffer.from(await solid(8, 8, [9, 9, 9]).png().toBuffer());
  png.writeUInt32BE(100_000, 16);
  png.writeUInt32BE(100_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29); // IHDR type + data, so the CRC still checks out
  return png;
}

export const small: Pick<IngestOptions, 'size' | 'color' | 'fit'> = { size: 16, color: 'rgb', fit: 'cover' };
