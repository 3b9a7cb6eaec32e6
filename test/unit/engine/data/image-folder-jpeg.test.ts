import { describe, expect, it } from 'vitest';
import type { Sharp } from 'sharp';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ingestFolder, type IngestOptions } from '../../../../src/engine/data/image-folder';
import { loadJpegTurbo, plainJpegInfo } from '../../../../src/engine/data/ingest/jpeg-fast.mjs';
import { photoRamp, tempDir, withJpegDecoder } from './image-fixtures';

/** Smooth colour ramps with a little texture: a photo-like JPEG. */
function ramp(w: number, h: number, seed: number): Sharp {
  return photoRamp(w, h, (x, y) => (((x + y) * seed) & 63) + 96);
}

describe('plainJpegInfo: which JPEGs the fast lane may decode', () => {
  it('accepts plain baseline, progressive and gray JPEGs and reads their size', async () => {
    expect(plainJpegInfo(await ramp(40, 30, 1).jpeg().toBuffer())).toEqual({ width: 40, height: 30, components: 3, progressive: false });
    expect(plainJpegInfo(await ramp(40, 30, 1).jpeg({ progressive: true }).toBuffer())).toEqual({ width: 40, height: 30, components: 3, progressive: true });
    expect(plainJpegInfo(await ramp(20, 24, 1).toColourspace('b-w').jpeg().toBuffer())).toEqual({ width: 20, height: 24, components: 1, progressive: false });
  });

  it('leaves rotated, ICC-tagged, CMYK and non-JPEG files to sharp', async () => {
    expect(plainJpegInfo(await ramp(40, 30, 1).withMetadata({ orientation: 6 }).jpeg().toBuffer())).toBeNull();
    expect(plainJpegInfo(await ramp(40, 30, 1).withIccProfile('p3').jpeg().toBuffer())).toBeNull();
    expect(plainJpegInfo(await ramp(40, 30, 1).toColourspace('cmyk').jpeg().toBuffer())).toBeNull();
    expect(plainJpegInfo(await ramp(40, 30, 1).png().toBuffer())).toBeNull();
    expect(plainJpegInfo(Buffer.from([0xff, 0xd8, 0xff]))).toBeNull();
    const jpeg = await ramp(40, 30, 1).jpeg().toBuffer();
    expect(plainJpegInfo(jpeg.subarray(0, 20))).toBeNull();
  });
});

/** The fast lane needs the optional @julusian/jpeg-turbo binding; without it only sharp decodes. */
const hasJpegTurbo = Boolean(await loadJpegTurbo());

describe('ingestFolder: the fast JPEG lane', () => {
  it('decodes JPEGs like sharp does (within a few levels), in any geometry, gray or RGB, at full size and DCT-scaled', async ({ skip }) => {
    skip(!hasJpegTurbo, 'the optional @julusian/jpeg-turbo binding is not installed here: only sharp decodes');
    const dir = await tempDir('same');
    const cache = await tempDir('same-cache'); // one cache: the decoder is part of its key
    await ramp(256, 256, 3).jpeg({ quality: 90 }).toFile(join(dir, 'a.jpg'));
    await ramp(200, 120, 5).jpeg({ quality: 80 }).toFile(join(dir, 'b.jpg'));
    await ramp(97, 131, 7).jpeg({ progressive: true }).toFile(join(dir, 'c.jpg'));
    await ramp(64, 64, 9).toColourspace('b-w').jpeg().toFile(join(dir, 'd.jpg'));
    const whole = await ramp(48, 48, 2).jpeg().toBuffer();
    await writeFile(join(dir, 'e.jpg'), whole);
    await writeFile(join(dir, 'truncated.jpg'), whole.subarray(0, whole.length >> 1));
    for (const options of [
      { size: 64, color: 'rgb', fit: 'cover' },
      { size: 32, color: 'gray', fit: 'contain', background: '#ffffff' },
    ] as Pick<IngestOptions, 'size' | 'color' | 'fit' | 'background'>[]) {
      const slow = await withJpegDecoder('sharp', () => ingestFolder(dir, { ...options, cacheDir: cache }));
      expect(slow.report.cache).toBe('miss');
      // The binding's full-size decode ('full'), and where it loads (Linux) the DCT-scaled lane, which
      // decodes a.jpg at 1/2 for 64² (jpeg-scaled.test.ts holds it to the area average).
      for (const [lane, levels] of [
        ['full', 3],
        [undefined, 8],
      ] as const) {
        const fast = await withJpegDecoder(lane, () => ingestFolder(dir, { ...options, cacheDir: cache }));
        expect(fast.report.cache).toBe('miss');
        expect(fast.report.loaded).toBe(5);
        expect(fast.report.skipped).toEqual(slow.report.skipped);
        expect(fast.report.skipped.map((s) => s.file)).toEqual(['truncated.jpg']);
        expect(fast.dataset.pixels.length).toBe(slow.dataset.pixels.length);
        let worst = 0;
        for (let i = 0; i < fast.dataset.pixels.length; i++) worst = Math.max(worst, Math.abs(fast.dataset.pixels[i] - slow.dataset.pixels[i]));
        expect(worst).toBeLessThanOrEqual(levels);
      }
    }
  });
});
