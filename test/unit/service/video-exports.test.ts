import sharp from 'sharp';
import { GifReader } from 'omggif';
import { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output } from 'mediabunny';
import { describe, expect, it } from 'vitest';
import { encodeGif, encodeSpriteSheet, encodeWebm, gifRepeat, vp8FromWebp, type FrameSet } from '../../../src/engine/export';
import { gifComments, gifWithComment, pngTexts, pngWithText } from '../../../src/node/image-notes';
import type { EngineModelInfo } from '../../../src/shared/engine-protocol';
import { EXPORT_NOTE_KEYWORD, makeExportNote, parseExportNote } from '../../../src/shared/export-path-note';
import { makePathSpec, type SegmentMode } from '../../../src/shared/latent-path';
import { exportNoteFor, VideoExports } from '../../../src/service/video-exports';
import { AllowedPaths } from '../../../src/service/allowed-paths';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSupervisor } from '../../../src/service/engine-supervisor';
import type { Workspace } from '../../../src/service/workspace';

const MODEL = { dir: '/data/models/digits-2d', latentDim: 2, datasetFingerprint: 'mnist:abc' } as EngineModelInfo;
const KEYFRAMES = new Float32Array([0, 0, 1.5, -0.25, -2, 3]);
const ARGS = {
  keyframes: KEYFRAMES,
  frames: 12,
  mode: ['linear', 'spherical'] as SegmentMode[],
  easing: 'ease-in-out' as const,
  fps: 24,
  sources: [{ index: 7, label: '3' }, null, null],
};

function reader(model: Partial<EngineModelInfo> | null = MODEL): VideoExports {
  const workspace = { model } as unknown as Workspace;
  return new VideoExports({} as AllowedPaths, {} as EngineSupervisor, workspace);
}

function frames(count = 4, size = 8): FrameSet {
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) & 0xff;
  return { width: size, height: size, channels: 1, count, pixels };
}

/** An MP4 muxed by mediabunny with the note as its comment tag, as the page writes it (VP8 packets: Node has no H.264 encoder). */
async function mp4With(comment: string): Promise<Uint8Array> {
  const webp = await sharp(new Uint8Array(16 * 16 * 3).fill(90), { raw: { width: 16, height: 16, channels: 3 } })
    .webp({ quality: 80 })
    .toBuffer();
  const vp8 = vp8FromWebp(new Uint8Array(webp));
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat(), target });
  const source = new EncodedVideoPacketSource('vp8');
  output.addVideoTrack(source, { frameRate: 10 });
  output.setMetadataTags({ comment });
  await output.start();
  for (let k = 0; k < 3; k++)
    await source.add(new EncodedPacket(vp8, 'key', k / 10, 0.1), k === 0 ? { decoderConfig: { codec: 'vp8', codedWidth: 16, codedHeight: 16 } } : undefined);
  await output.finalize();
  return new Uint8Array(target.buffer!);
}

describe('the path embedded in an export', () => {
  const note = exportNoteFor(ARGS, MODEL)!;

  it('is the path document, versioned, ASCII only, naming the model but not its folder', () => {
    const parsed = parseExportNote(note, 'walk.gif');
    expect(parsed.model).toEqual({ name: 'digits-2d', latentDim: 2, datasetFingerprint: 'mnist:abc' });
    expect(parsed.path.keyframes.map((k) => k.z)).toEqual([
      [0, 0],
      [1.5, -0.25],
      [-2, 3],
    ]);
    expect(parsed.path.keyframes[0].source).toEqual({ index: 7, label: '3' });
    expect(parsed.path.segments).toEqual(['linear', 'spherical']);
    expect(parsed.path.fps).toBe(24);
    expect(note).not.toContain('/data/models');
    const accented = makeExportNote(makePathSpec([new Float32Array(2), new Float32Array(2)], { frames: 2, sources: [{ label: 'café' }] }), parsed.model);
    expect(/^[\x20-\x7e]*$/.test(accented)).toBe(true);
    expect(parseExportNote(accented, 'x').path.keyframes[0].source?.label).toBe('café');
  });

  const cases: [string, () => Promise<Uint8Array>][] = [
    ['GIF (comment extension)', () => encodeGif(frames(), { note })],
    ['PNG sprite sheet (tEXt chunk)', async () => (await encodeSpriteSheet(frames(), { note })).png],
    ['WebM (comment tag)', () => encodeWebm(frames(), { note })],
    ['MP4 (comment tag)', () => mp4With(note)],
  ];
  for (const [container, make] of cases) {
    it(`round-trips through a ${container}`, async () => {
      const bytes = await make();
      const back = await reader().read(`walk.${container.slice(0, 4).trim().toLowerCase()}`, bytes);
      expect(Array.from(back.doc.keyframes)).toEqual(Array.from(KEYFRAMES));
      expect(back.doc.segments).toEqual(['linear', 'spherical']);
      expect(back.doc.easing).toBe('ease-in-out');
      expect(back.doc.frames).toBe(12);
      expect(back.doc.sources[0]).toEqual({ index: 7, label: '3' });
      expect(back.warning).toBeNull();
    });
  }

  it('keeps the GIF playable and its loop field as asked', async () => {
    const gif = await encodeGif(frames(), { note, loops: 3 });
    const decoded = new GifReader(Buffer.from(gif));
    expect(decoded.numFrames()).toBe(4);
    expect(decoded.loopCount()).toBe(2);
    expect(new GifReader(Buffer.from(await encodeGif(frames()))).loopCount()).toBe(0);
    expect(gifRepeat(1)).toBe(-1);
    expect(() => gifRepeat(-1)).toThrow(/loop count/);
  });

  it('writes and reads GIF comments and PNG text chunks byte for byte', async () => {
    const long = 'x'.repeat(700);
    const gif = gifWithComment(await encodeGif(frames()), long);
    expect(gifComments(gif)).toEqual([long]);
    const png = (await encodeSpriteSheet(frames())).png;
    const tagged = pngWithText(png, EXPORT_NOTE_KEYWORD, long);
    expect(pngTexts(tagged).get(EXPORT_NOTE_KEYWORD)).toBe(long);
    expect((await sharp(tagged).metadata()).width).toBe((await sharp(png).metadata()).width);
  });
});

describe('a malformed or foreign embedded path', () => {
  const bad = (path: unknown): string =>
    JSON.stringify({ format: 'latentscape-export-path', version: 1, model: { name: 'm', latentDim: 2, datasetFingerprint: null }, path });

  it('an MP4 whose embedded path is malformed is refused with a clear message', async () => {
    const mp4 = await mp4With(bad({ format: 'latentscape-path', version: 1, latentDim: 2, keyframes: 'oops', segments: [], frames: 10 }));
    await expect(reader().read('walk.mp4', mp4)).rejects.toMatchObject({
      code: 'bad-file',
      message: expect.stringMatching(/"walk.mp4".*invalid.*keyframes.*nothing was changed/),
    });
    await expect(reader().read('walk.mp4', await mp4With('{not json'))).rejects.toThrow(/"walk.mp4" has an embedded path that is not valid JSON/);
    await expect(reader().read('walk.mp4', await mp4With(JSON.stringify({ format: 'latentscape-export-path', version: 9 })))).rejects.toThrow(
      /version 9, newer/,
    );
    await expect(reader().read('walk.mp4', await mp4With(bad(null).replace('"model":{', '"model":{"extra":1,')))).rejects.toThrow(/malformed embedded path/);
  });

  it('a file without a path, a truncated file and a stranger are refused', async () => {
    await expect(reader().read('plain.gif', await encodeGif(frames()))).rejects.toThrow(/"plain.gif" holds no Latentscape path/);
    const gif = await encodeGif(frames(), { note: exportNoteFor(ARGS, MODEL) });
    await expect(reader().read('cut.gif', gif.subarray(0, 40))).rejects.toThrow(/"cut.gif" cannot be read: the GIF file is truncated/);
    await expect(reader().read('notes.txt', new TextEncoder().encode('hello'))).rejects.toThrow(/not an MP4, WebM, GIF or PNG file/);
  });

  it('a path for another latent size is refused; another model of the same size opens with a warning', async () => {
    const gif = await encodeGif(frames(), { note: exportNoteFor(ARGS, MODEL) });
    await expect(reader({ ...MODEL, latentDim: 8 }).read('walk.gif', gif)).rejects.toThrow(/latent size 2.*open model's latent size is 8/);
    const other = await reader({ ...MODEL, dir: '/models/faces' }).read('walk.gif', gif);
    expect(other.warning).toMatch(/made with the model "digits-2d", not the open "faces"/);
  });
});

describe('the MP4 the page encoded, written by the service', () => {
  it('writes only a real MP4 to a .mp4 in an allowed folder, not inside the dataset unless confirmed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ls-video-'));
    try {
      const dataset = join(root, 'photos');
      await mkdir(dataset);
      const paths = new AllowedPaths('choose a folder');
      await paths.add(root);
      const workspace = { model: MODEL, datasetSource: { kind: 'folder', path: dataset } } as unknown as Workspace;
      const video = new VideoExports(paths, {} as EngineSupervisor, workspace);
      const mp4 = await mp4With('{}');
      const r = await video.write(join(root, 'walk.mp4'), mp4);
      expect(r).toEqual({ path: join(root, 'walk.mp4'), bytes: mp4.byteLength, files: 1 });
      expect(Buffer.from(await readFile(join(root, 'walk.mp4'))).equals(Buffer.from(mp4))).toBe(true);
      await expect(video.write(join(root, 'walk.gif'), mp4)).rejects.toThrow(/must end in .mp4/);
      await expect(video.write(join(root, 'fake.mp4'), new TextEncoder().encode('not a video at all'))).rejects.toThrow(/not an MP4 file/);
      await expect(video.write('/etc/walk.mp4', mp4)).rejects.toMatchObject({ code: 'path-not-allowed' });
      await expect(video.write(join(dataset, 'walk.mp4'), mp4)).rejects.toMatchObject({ code: 'inside-dataset' });
      expect(await readdir(dataset)).toEqual([]);
      await video.write(join(dataset, 'walk.mp4'), mp4, { insideDataset: true });
      expect(await readdir(dataset)).toEqual(['walk.mp4']);
      expect((await readdir(root)).sort()).toEqual(['photos', 'walk.mp4']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
