import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeGif,
  encodeWebm,
  exportAnimation,
  ExportCancelledError,
  exportFrames,
  exportGif,
  exportKindFor,
  exportWebm,
  frameAt,
  gifDelaysCs,
  spriteLayout,
  UnknownExportTypeError,
  upscaleNearest,
  vp8FromWebp,
  type FrameSet,
} from '../../../../src/engine/export';
import { syntheticFrames } from '../../../../src/engine/export/export-bench';
import { blockPayloads, find, IDS, parseEbml, readFloat, readString, readUint } from './ebml';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentscape-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 60 gray 28×28 frames: a bright square moving across a gradient. */
function grayFrames(count = 60, size = 28): FrameSet {
  const pixels = new Uint8Array(count * size * size);
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inSquare = Math.abs(x - (4 + (k * 20) / count)) < 4 && Math.abs(y - 14) < 4;
        pixels[k * size * size + y * size + x] = inSquare ? 255 : (x * 9 + y) & 0x7f;
      }
    }
  }
  return { width: size, height: size, channels: 1, count, pixels };
}

/** GIF frame k as RGBA, via omggif. */
function gifFrameRgba(reader: GifReader, k: number): Uint8Array {
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(k, rgba);
  return rgba;
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Channel c of an RGBA or RGB buffer. */
function channel(buf: Uint8Array, stride: number, c: number): Uint8Array {
  const out = new Uint8Array(buf.length / stride);
  for (let i = 0; i < out.length; i++) out[i] = buf[i * stride + c];
  return out;
}

async function noTempFilesIn(folder: string): Promise<void> {
  expect((await readdir(folder)).filter((n) => n.includes('.tmp-'))).toEqual([]);
}

describe('upscaleNearest', () => {
  it('repeats every pixel scale × scale times', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 2×1 pixels, 3 bytes each
    expect(Array.from(upscaleNearest(src, 2, 1, 3, 2))).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(Array.from(upscaleNearest(Uint8Array.from([7, 8, 9, 10]), 2, 2, 1, 2))).toEqual([7, 7, 8, 8, 7, 7, 8, 8, 9, 9, 10, 10, 9, 9, 10, 10]);
  });
});

describe('GIF', () => {
  it('delays follow the fps on average and never drop under 2 cs', () => {
    const d = gifDelaysCs(30, 30);
    expect(d.reduce((s, x) => s + x, 0)).toBe(100);
    expect(new Set(d)).toEqual(new Set([3, 4]));
    expect(gifDelaysCs(5, 120).every((x) => x >= 2)).toBe(true);
  });

  it('gray frames are stored losslessly, upscaled, looping forever', async () => {
    const frames = grayFrames();
    const progress: number[] = [];
    const gif = await encodeGif(frames, { scale: 4, fps: 25, onProgress: (done) => progress.push(done) });
    const reader = new GifReader(gif);
    expect(reader.numFrames()).toBe(60);
    expect([reader.width, reader.height]).toEqual([112, 112]);
    expect(reader.loopCount()).toBe(0);
    expect(reader.frameInfo(0).delay).toBe(4);
    expect(progress.at(-1)).toBe(60);
    for (const k of [0, 31, 59]) {
      const expected = upscaleNearest(frameAt(frames, k), 28, 28, 1, 4);
      const rgba = gifFrameRgba(reader, k);
      expect(channel(rgba, 4, 0)).toEqual(expected);
      expect(channel(rgba, 4, 2)).toEqual(expected);
    }
  });

  it('RGB frames come back close to the originals (one quantised palette)', async () => {
    const frames = syntheticFrames(3, 20, 32);
    const reader = new GifReader(await encodeGif(frames, { scale: 2 }));
    expect(reader.numFrames()).toBe(20);
    for (const k of [0, 19]) {
      const expected = upscaleNearest(frameAt(frames, k), 32, 32, 3, 2);
      const rgba = gifFrameRgba(reader, k);
      for (let c = 0; c < 3; c++) expect(meanAbsDiff(channel(rgba, 4, c), channel(expected, 3, c))).toBeLessThan(6);
    }
  });

  it('rejects a bad scale and inconsistent frames', async () => {
    await expect(encodeGif(grayFrames(2), { scale: 9 })).rejects.toThrow(/scale must be an integer from 1 to 8/);
    await expect(encodeGif({ ...grayFrames(2), count: 3 })).rejects.toThrow(/hold 1568 bytes but 3 frames/);
  });
});

describe('WebM', () => {
  let webm: Uint8Array;
  const frames = grayFrames();
  beforeAll(async () => {
    webm = await encodeWebm(frames, { scale: 4, fps: 30 });
  });

  it('has the Matroska structure a player needs: EBML header, Info with duration, a V_VP8 track, clusters of key frames', () => {
    const top = parseEbml(webm);
    const [ebml] = find(top, IDS.EBML);
    expect(readString(webm, find(ebml.children!, IDS.DocType)[0])).toBe('webm');
    const [segment] = find(top, IDS.Segment);
    const [info] = find(segment.children!, IDS.Info);
    const scaleNs = find(info.children!, IDS.TimecodeScale).length ? readUint(webm, find(info.children!, IDS.TimecodeScale)[0]) : 1e6;
    const durationS = (readFloat(webm, find(info.children!, IDS.Duration)[0]) * scaleNs) / 1e9;
    expect(durationS).toBeCloseTo(2, 2);
    const [track] = find(find(segment.children!, IDS.Tracks)[0].children!, IDS.TrackEntry);
    expect(readString(webm, find(track.children!, IDS.CodecID)[0])).toBe('V_VP8');
    const [video] = find(track.children!, IDS.Video);
    expect(readUint(webm, find(video.children!, IDS.PixelWidth)[0])).toBe(112);
    expect(readUint(webm, find(video.children!, IDS.PixelHeight)[0])).toBe(112);
    const blocks = blockPayloads(webm, segment);
    expect(blocks.length).toBe(60);
    expect(blocks.every((b) => b.keyframe)).toBe(true);
    // A VP8 key frame starts with the start code 9d 01 2a after its 3-byte frame tag.
    expect(Array.from(blocks[0].payload.subarray(3, 6))).toEqual([0x9d, 0x01, 0x2a]);
  });

  it('demuxes with mediabunny: 60 VP8 packets at 30 fps', async () => {
    const input = new Input({ source: new BufferSource(webm), formats: ALL_FORMATS });
    const track = await input.getPrimaryVideoTrack();
    expect(track?.codec).toBe('vp8');
    expect([track?.codedWidth, track?.codedHeight]).toEqual([112, 112]);
    let count = 0;
    let last = 0;
    for await (const packet of new EncodedPacketSink(track!).packets()) {
      count++;
      last = packet.timestamp;
    }
    expect(count).toBe(60);
    expect(last).toBeCloseTo(59 / 30, 3);
  });

  it('first and last frames decode close to the source images', async () => {
    const [segment] = find(parseEbml(webm), IDS.Segment);
    const blocks = blockPayloads(webm, segment);
    for (const k of [0, 59]) {
      const decoded = await decodeVp8(blocks[k].payload);
      const expected = upscaleNearest(frameAt(frames, k), 28, 28, 1, 4);
      const other = upscaleNearest(frameAt(frames, 59 - k), 28, 28, 1, 4);
      const err = meanAbsDiff(channel(decoded, 3, 1), expected);
      expect(err).toBeLessThan(8);
      expect(err).toBeLessThan(meanAbsDiff(channel(decoded, 3, 1), other));
    }
  });

  it('vp8FromWebp refuses what is not a lossy WebP', async () => {
    expect(() => vp8FromWebp(Uint8Array.from([1, 2, 3]))).toThrow(/not a WebP/);
    const lossless = await sharp(Buffer.alloc(12), { raw: { width: 2, height: 2, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    expect(() => vp8FromWebp(new Uint8Array(lossless))).toThrow(/lossless/);
  });

  it('RGB frames encode too', async () => {
    const rgb = await encodeWebm(syntheticFrames(3, 10, 32), { scale: 2, fps: 10 });
    const [segment] = find(parseEbml(rgb), IDS.Segment);
    expect(blockPayloads(rgb, segment).length).toBe(10);
  });
});

/** A VP8 key frame → RGB pixels, by wrapping it back into a WebP for sharp. */
async function decodeVp8(vp8: Uint8Array): Promise<Uint8Array> {
  const pad = vp8.length & 1;
  const riff = new Uint8Array(20 + vp8.length + pad);
  const view = new DataView(riff.buffer);
  riff.set(new TextEncoder().encode('RIFF'), 0);
  view.setUint32(4, 12 + vp8.length + pad, true);
  riff.set(new TextEncoder().encode('WEBPVP8 '), 8);
  view.setUint32(16, vp8.length, true);
  riff.set(vp8, 20);
  return new Uint8Array(await sharp(riff).removeAlpha().raw().toBuffer());
}

describe('PNG frames and sprite sheet', () => {
  it('writes frame-0000.png … and sprite.png, lossless', async () => {
    const frames = grayFrames();
    const out = join(dir, 'frames');
    const result = await exportFrames(frames, out, { scale: 2, extraFiles: { 'path.json': '{}' } });
    const names = (await readdir(out)).sort();
    expect(names.filter((n) => /^frame-\d{4}\.png$/.test(n)).length).toBe(60);
    expect(names).toContain('sprite.png');
    expect(names).toContain('path.json');
    expect(result.files).toBe(62);
    expect((await sharp(join(out, 'frame-0059.png')).metadata()).channels).toBe(1);
    const { data, info } = await sharp(join(out, 'frame-0059.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([56, 56, 1]);
    expect(new Uint8Array(data)).toEqual(upscaleNearest(frameAt(frames, 59), 28, 28, 1, 2));
    const sprite = await sharp(join(out, 'sprite.png')).metadata();
    const layout = spriteLayout(frames, 2);
    expect([layout.columns, layout.rows]).toEqual([8, 8]);
    expect([sprite.width, sprite.height]).toEqual([8 * 56, 8 * 56]);
    await noTempFilesIn(dir);
  });

  it('replaces an earlier export but refuses a folder with other files', async () => {
    const out = join(dir, 'again');
    await exportFrames(grayFrames(5), out);
    await exportFrames(grayFrames(3), out);
    expect((await readdir(out)).filter((n) => n.startsWith('frame-')).length).toBe(3);
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'thesis.docx'), 'precious');
    await expect(exportFrames(grayFrames(3), mine)).rejects.toThrow(/refusing to replace .*\(thesis\.docx\)/);
    expect(await readdir(mine)).toEqual(['thesis.docx']);
  });
});

describe('atomic writes and cancel', () => {
  it('a cancelled export leaves the previous file untouched and no temp files', async () => {
    const file = join(dir, 'keep.gif');
    await writeFile(file, 'previous');
    for (const exporter of [exportGif, exportWebm]) {
      const controller = new AbortController();
      const run = exporter(grayFrames(), file, { signal: controller.signal, onProgress: (done) => done === 10 && controller.abort() });
      await expect(run).rejects.toBeInstanceOf(ExportCancelledError);
      expect(await readFile(file, 'utf8')).toBe('previous');
    }
    const folder = join(dir, 'cancelled-frames');
    const controller = new AbortController();
    await expect(
      exportFrames(grayFrames(), folder, { signal: controller.signal, onProgress: (done) => done === 5 && controller.abort() }),
    ).rejects.toBeInstanceOf(ExportCancelledError);
    await expect(readdir(folder)).rejects.toThrow();
    await noTempFilesIn(dir);
  });

  it('an already aborted signal writes nothing', async () => {
    const file = join(dir, 'never.gif');
    await expect(exportGif(grayFrames(3), file, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ExportCancelledError);
    await expect(readFile(file)).rejects.toThrow();
  });
});

describe('exportKindFor / exportAnimation', () => {
  it('chooses by extension, trailing slash or existing folder', async () => {
    expect(await exportKindFor('a.gif')).toBe('gif');
    expect(await exportKindFor('A.WEBM')).toBe('webm');
    expect(await exportKindFor('sheet.png')).toBe('sprite');
    expect(await exportKindFor('out/')).toBe('frames');
    expect(await exportKindFor(dir)).toBe('frames');
    await expect(exportKindFor('a.mp4')).rejects.toThrow(UnknownExportTypeError);
    await expect(exportKindFor('a.mp4')).rejects.toThrow(/cannot export to ".mp4" files: use .gif, .webm, .png or a folder ending in \//);
    await expect(exportKindFor(join(dir, 'noext'))).rejects.toThrow(/has no extension/);
  });

  it('writes a sprite sheet for .png', async () => {
    const result = await exportAnimation(grayFrames(10), join(dir, 'sheet.png'), { scale: 1 });
    expect(result.kind).toBe('sprite');
    const meta = await sharp(join(dir, 'sheet.png')).metadata();
    expect([meta.width, meta.height]).toEqual([4 * 28, 3 * 28]);
  });
});
