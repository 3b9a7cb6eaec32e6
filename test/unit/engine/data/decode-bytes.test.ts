/**
 * Image decode memory is bounded by bytes, not pixels: what a decode holds is read from the header
 * (width × height × channels × bytes per sample, 16-bit and alpha included; JPEG's shrink-on-load), an
 * image over the cap is refused with its figures before it is decoded, and the decode pool's decodes in
 * flight stay within a total byte budget, in-process and on worker threads. Medium images and lowered
 * limits keep this test's own memory small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { createDecoder, decodedBytes, jpegShrinkOnLoad, type DecodeSettings } from '../../../../src/engine/data/ingest/decode-core.mjs';
import { DecodePool } from '../../../../src/engine/data/ingest/pool';

const settings: DecodeSettings = { size: 16, color: 'rgb', fit: 'cover', background: [0, 0, 0], thumbSize: 0 };
/** createDecoder's box at size 16 (formats that cannot shrink while loading): max(256, 4 × 16). */
const BOX = 256;

/** A PNG whose header says 9,999² interlaced 16-bit RGBA (the 777 KB file): only the header is real. */
async function hugeInterlacedPngHeader(): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } })
      .png()
      .toBuffer(),
  );
  png.writeUInt32BE(9999, 16);
  png.writeUInt32BE(9999, 20);
  png[24] = 16; // bit depth
  png[25] = 6; // colour type RGBA
  png[28] = 1; // Adam7 interlace
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

describe('decodedBytes, by hand', () => {
  it('counts every channel and sample byte: 16-bit RGBA PNG', () => {
    expect(decodedBytes({ width: 9999, height: 9999, channels: 4, depth: 'ushort', format: 'png', isProgressive: true }, BOX)).toBe(9999 * 9999 * 4 * 2);
    expect(decodedBytes({ width: 300, height: 200, channels: 1, depth: 'uchar', format: 'png' }, BOX)).toBe(300 * 200);
  });

  it("a baseline JPEG shrinks on load by sharp's rule; a progressive one holds its coefficients whole", () => {
    const jpeg = (width: number, height: number, box: number, shrinkOnLoad?: boolean): number =>
      decodedBytes({ width, height, channels: 3, depth: 'uchar', format: 'jpeg' }, box, shrinkOnLoad);
    // 3000 / 256 = 11.7: shrunk by 8 to 500 × 375.
    expect(jpeg(4000, 3000, 256)).toBe(500 * 375 * 3);
    // 600 / 256 = 2.3 reaches 2, but its integer part is 2 itself: sharp halves that to 1 (libjpeg's
    // rounding), so the image loads whole.
    expect(jpeg(800, 600, 256)).toBe(800 * 600 * 3);
    // 2048 / 256 = 8 exactly: 4, not 8. 2304 / 256 = 9: 8.
    expect(jpeg(2048, 2048, 256)).toBe(512 * 512 * 3);
    expect(jpeg(2304, 2304, 256)).toBe(288 * 288 * 3);
    // The decoder's JPEG target at size 16 is 32: a 1,200 × 900 photo loads at 1/8.
    expect(jpeg(1200, 900, 32)).toBe(150 * Math.ceil(900 / 8) * 3);
    // No shrink while loading (an sRGB pipeline): counted whole.
    expect(jpeg(4000, 3000, 32, false)).toBe(4000 * 3000 * 3);
    expect(decodedBytes({ width: 4000, height: 3000, channels: 3, depth: 'uchar', format: 'jpeg', isProgressive: true }, BOX)).toBe(4000 * 3000 * 3 * 2);
  });

  it("jpegShrinkOnLoad is sharp 0.35's pipeline.cc rule, factor by factor", () => {
    const cases: [number, number][] = [
      [1, 1],
      [1.99, 1],
      [2, 1],
      [2.99, 1],
      [3, 2],
      [4, 2],
      [4.5, 2],
      [5, 4],
      [7.99, 4],
      [8, 4],
      [8.99, 4],
      [9, 8],
      [40, 8],
    ];
    for (const [factor, shrink] of cases) expect([factor, jpegShrinkOnLoad(factor)]).toEqual([factor, shrink]);
  });
});

/** Decodes `input` on `background` (the settings' otherwise), with the bytes the byte budget was asked for. */
async function decodeCounted(input: Buffer, background: [number, number, number]): Promise<{ pixels: Uint8Array; granted: number[] }> {
  const decoder = await createDecoder({ ...settings, background });
  const granted: number[] = [];
  const result = await decoder.decodeBytes(input, async (bytes) => {
    granted.push(bytes);
    return () => {};
  });
  if (!('pixels' in result)) throw new Error(`skipped: ${result.skip}`);
  return { pixels: result.pixels, granted };
}

describe('a big JPEG shrinks while it loads', () => {
  /** 1,200 × 900, smooth colour ramps (no alpha). */
  async function photo(): Promise<Buffer> {
    const [w, h] = [1200, 900];
    const data = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([(x * 255) / w, (y * 255) / h, 128 + 100 * Math.sin((x + y) / 40)], (y * w + x) * 3);
    return sharp(data, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
  }

  it('at 1/8 for a 16² target (sharp resizes it to 32), on a gray or a coloured background alike', async () => {
    const input = await photo();
    const white = await decodeCounted(input, [255, 255, 255]);
    // A coloured background used to put sharp's pipeline in sRGB for every image, which stops
    // shrink-on-load: the photo was decoded whole (and counted at a quarter of that).
    const green = await decodeCounted(input, [0, 255, 0]);
    const eighth = 150 * Math.ceil(900 / 8) * 3;
    expect(white.granted).toEqual([eighth]);
    expect(green.granted).toEqual([eighth]);
    // Nothing to flatten: the background cannot change the pixels.
    expect(Buffer.from(green.pixels).equals(Buffer.from(white.pixels))).toBe(true);
  });
});

describe('a big WebP with alpha', () => {
  it('shrinks while it loads on white; on a coloured background it needs the sRGB pipeline, and is counted whole', async () => {
    const [w, h] = [600, 400];
    const data = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < w / 2 ? [0, 0, 0, 0] : [20, 20, 230, 255], (y * w + x) * 4);
    const webp = await sharp(data, { raw: { width: w, height: h, channels: 4 } })
      .webp({ lossless: true })
      .toBuffer();
    // 400 / 32 = 12.5: counted at the power of two under it, 8 (libwebp scales by the factor itself).
    const white = await decodeCounted(webp, [255, 255, 255]);
    expect(white.granted).toEqual([75 * 50 * 4]);
    const green = await decodeCounted(webp, [0, 255, 0]);
    expect(green.granted).toEqual([w * h * 4]);
    // The transparent left half is the background, the right half the image's blue.
    const at = (p: Uint8Array, x: number, y: number): number[] => [...p.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)];
    expect(at(green.pixels, 2, 8)).toEqual([0, 255, 0]);
    expect(at(white.pixels, 2, 8)).toEqual([255, 255, 255]);
    expect(at(green.pixels, 13, 8)[2]).toBeGreaterThan(200);
  });
});

describe('the decoded-bytes cap', () => {
  it('refuses the 9,999² 16-bit RGBA interlaced PNG from its header, saying what it would take', async () => {
    const decoder = await createDecoder(settings);
    const result = await decoder.decodeBytes(await hugeInterlacedPngHeader());
    expect(result).toEqual({
      skip: 'image too large to decode: 9999×9999, 4 channels of 16 bits take 763 MB decoded (limit 400 MB)',
      remember: true,
    });
  });

  it('refuses a real 16-bit RGBA interlaced PNG over a lowered cap, and decodes it under the default', async () => {
    const png = await sharp({ create: { width: 1200, height: 1000, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.8 } } })
      .toColourspace('rgb16')
      .png({ progressive: true })
      .toBuffer();
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ depth: 'ushort', channels: 4, isProgressive: true });
    const capped = await createDecoder({ ...settings, maxDecodedBytes: 4 * 2 ** 20 });
    expect(await capped.decodeBytes(png)).toEqual({
      skip: 'image too large to decode: 1200×1000, 4 channels of 16 bits take 9 MB decoded (limit 4 MB)',
      remember: true,
    });
    const decoded = await (await createDecoder(settings)).decodeBytes(png);
    expect('pixels' in decoded && decoded.pixels.length).toBe(16 * 16 * 3);
  });
});

describe('the decode pool’s byte budget', () => {
  let dir: string;
  const files: { path: Buffer; size: number }[] = [];
  /** Each test image: 600 × 500 RGB, 8 bits: 900,000 bytes decoded. */
  const IMAGE_BYTES = 600 * 500 * 3;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ls-decode-bytes-'));
    for (let i = 0; i < 6; i++) {
      const path = join(dir, `${i}.png`);
      const info = await sharp({ create: { width: 600, height: 500, channels: 3, background: { r: 40 * i, g: 90, b: 200 } } })
        .png()
        .toFile(path);
      files.push({ path: Buffer.from(path), size: info.size });
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['in-process', 0],
    ['on worker threads', 2],
  ])('%s: decodes in flight hold at most the budget, and every image is decoded', async (_, workers) => {
    const budget = 2 * IMAGE_BYTES + 1000;
    const bounded = await DecodePool.start(settings, workers, budget);
    const free = await DecodePool.start(settings, workers, 64 * 2 ** 20);
    try {
      for (const pool of [bounded, free]) {
        const results = await Promise.all(files.map((f) => pool.decode(f.path, f.size)));
        expect(results.every((r) => 'pixels' in r)).toBe(true);
      }
      expect(bounded.peakDecodeBytes).toBeLessThanOrEqual(budget);
      expect(bounded.peakDecodeBytes).toBeGreaterThanOrEqual(IMAGE_BYTES);
      // Without the bound the same decodes overlap further: the budget is what held them back.
      expect(free.peakDecodeBytes).toBeGreaterThan(budget);
    } finally {
      await bounded.close();
      await free.close();
    }
  });
});
