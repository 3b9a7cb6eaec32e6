/**
 * TurboJPEG decodes into reused buffers (ingest/scratch-buffers.mjs): many decodes in flight at once,
 * on the thread pool or on this thread, must each give exactly the pixels of that file decoded alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecoder, type DecodeResult, type DecodeSettings } from '../../../../src/engine/data/ingest/decode-core.mjs';
import { loadJpegTurbo } from '../../../../src/engine/data/ingest/jpeg-fast.mjs';

const settings: DecodeSettings = { size: 16, color: 'rgb', fit: 'cover', background: [255, 255, 255], thumbSize: 8 };
const hasJpegTurbo = Boolean(await loadJpegTurbo());

/** Each image a different flat colour with a gradient: any mix-up between files shows. */
async function jpeg(seed: number, side: number): Promise<Buffer> {
  const data = Buffer.alloc(side * side * 3);
  for (let p = 0; p < side * side; p++) {
    data[p * 3] = (seed * 37 + (p % side)) & 255;
    data[p * 3 + 1] = (seed * 91) & 255;
    data[p * 3 + 2] = (seed * 53 + Math.floor(p / side)) & 255;
  }
  return sharp(data, { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function pixelsOf(result: DecodeResult): Uint8Array {
  if ('skip' in result) throw new Error(`skipped: ${result.skip}`);
  return result.pixels;
}

let dir = '';
const files: { path: string; size: number; bytes: Buffer }[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ls-decode-reuse-'));
  for (let i = 0; i < 24; i++) {
    // Two sizes, so buffers of one size are handed to decodes of the other.
    const bytes = await jpeg(i, i % 2 ? 64 : 96);
    const path = join(dir, `${i}.jpg`);
    await writeFile(path, bytes);
    files.push({ path, size: bytes.length, bytes });
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('decodes in flight together, each into a reused buffer', () => {
  it('give each file its own pixels, async and on this thread alike', async ({ skip }) => {
    skip(!hasJpegTurbo, 'the optional @julusian/jpeg-turbo binding is not installed here: only sharp decodes');
    const alone: Uint8Array[] = [];
    for (const file of files) alone.push(pixelsOf(await (await createDecoder(settings)).decodeBytes(file.bytes)));
    // Every file differs from the next: a mix-up could not pass unnoticed.
    for (let i = 1; i < alone.length; i++) expect(alone[i]).not.toEqual(alone[i - 1]);

    const shared = await createDecoder(settings);
    for (let round = 0; round < 3; round++) {
      const together = await Promise.all(files.map((f) => shared.decodeBytes(f.bytes)));
      together.forEach((result, i) => expect(pixelsOf(result)).toEqual(alone[i]));
      const onThisThread = await Promise.all(files.map((f) => shared.decodeFile(f.path, f.size, true)));
      onThisThread.forEach((result, i) => expect(pixelsOf(result)).toEqual(alone[i]));
    }
  });

  it('skip a truncated JPEG decoded on this thread with its reason, and the next file is whole', async ({ skip }) => {
    skip(!hasJpegTurbo, 'the optional @julusian/jpeg-turbo binding is not installed here: only sharp decodes');
    const decoder = await createDecoder(settings);
    const expected = pixelsOf(await decoder.decodeBytes(files[1].bytes));
    const truncated = join(dir, 'truncated.jpg');
    await writeFile(truncated, files[0].bytes.subarray(0, files[0].bytes.length >> 1));
    for (const sync of [true, false]) {
      expect(await decoder.decodeFile(truncated, files[0].bytes.length >> 1, sync)).toMatchObject({ skip: expect.stringMatching(/corrupt or truncated/) });
      expect(pixelsOf(await decoder.decodeFile(files[1].path, files[1].size, sync))).toEqual(expected);
    }
  });
});
