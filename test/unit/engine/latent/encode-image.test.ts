/**
 * Any image in (issue 27): a file encoded by the open model goes through the ingest's decoder with the
 * preprocessing the model recorded, so a training image's own file gives back its stored μ; a file that
 * is not an image, or of 300 megapixels, is refused with the reason, naming the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { EngineSession } from '../../../../src/engine/session';
import { saveModel } from '../../../../src/engine/train/checkpoint';
import { describeEngine } from '../../../engine-suite';
import { tempDir, useTestBackend } from '../../helpers';

const SIZE = 8;
/** Preprocessing that changes the pixels (contain pads a wide image; transparency lands on the colour). */
const PRE = { size: SIZE, color: 'rgb', fit: 'contain', background: '#336699' } as const;

let root: { path: string; cleanup: () => Promise<void> };
let images: string;
let model: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;

/** A wide RGBA image of seeded noise, half of it see-through. */
async function noiseImage(file: string, seed: number): Promise<void> {
  const width = 12;
  const height = 7;
  const data = Buffer.alloc(width * height * 4);
  let s = seed * 7919 + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    data[i] = i % 4 === 3 ? (i % 8 === 3 ? 255 : s % 256) : s % 256;
  }
  await sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toFile(file);
}

/** A real PNG whose header says 20,000 × 15,000 (300 megapixels): only the header is big. */
async function pngOf300Megapixels(): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .png()
      .toBuffer(),
  );
  png.writeUInt32BE(20_000, 16);
  png.writeUInt32BE(15_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-encode-image-');
  process.env.XDG_CACHE_HOME = join(root.path, 'cache'); // the ingest cache stays in the temp folder
  images = join(root.path, 'images');
  for (const label of ['cats', 'dogs']) await mkdir(join(images, label), { recursive: true });
  for (let i = 0; i < 8; i++) await noiseImage(join(images, i % 2 ? 'dogs' : 'cats', `${i}.png`), i);
  model = join(root.path, 'model');
  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3, height: SIZE, channels: 3, hidden: 16 }), 5);
  await saveModel(model, vae, {
    dataset: { name: 'images', source: { kind: 'folder', path: images }, fingerprint: 'x', count: 8, labelNames: ['cats', 'dogs'], preprocessing: { ...PRE } },
  });
  vae.dispose();
});
afterAll(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await root?.cleanup();
});

/** A session with the model open on its folder; its tensors are the model's, kept until `close`. */
async function openSession(): Promise<{ session: EngineSession; files: string[]; close: () => void }> {
  const session = new EngineSession(() => {});
  await session.loadModel({ dir: model });
  await session.openDataset({ kind: 'folder', path: images, ...PRE });
  const files = session.datasetFiles().files!;
  return { session, files, close: () => session.requireModel().vae.dispose() };
}

describeEngine('encodeImage', () => {
  it("a training image's own file gives its stored μ, its reconstruction, and itself as its nearest training image", async () => {
    const { session, files, close } = await openSession();
    try {
      const { mu: stored } = await session.embed();
      const train = session.requireDataset().split.train;
      for (const index of [train[0], train[train.length - 1]]) {
        const bytes = await readFile(join(images, files[index]));
        const encoded = await session.encodeImage({ name: files[index], bytes, k: 8 });
        const want = stored.subarray(index * 3, index * 3 + 3);
        for (let j = 0; j < 3; j++) expect(encoded.mu[j]).toBeCloseTo(want[j], 4);
        expect(encoded.sigma.length).toBe(3);
        expect(Array.from(encoded.sigma).every((s) => s > 0)).toBe(true);
        // The pixels the model saw are the ingest's pixels of that image.
        const size = SIZE * SIZE * 3;
        expect(Buffer.from(encoded.input.pixels).equals(Buffer.from(session.requireDataset().pixels.subarray(index * size, (index + 1) * size)))).toBe(true);
        expect(encoded.reconstruction.pixels.length).toBe(size);
        expect(encoded.rmse).toBeGreaterThan(0);
        expect(encoded.nearest.ids[0]).toBe(index);
        expect(encoded.nearest.distances[0]).toBeCloseTo(0, 4);
        // Only training images are neighbours.
        expect(Array.from(encoded.nearest.ids).every((id) => Array.from(train).includes(id))).toBe(true);
        expect(encoded.nearest.ids.length).toBe(Math.min(8, train.length));
      }
    } finally {
      close();
    }
  });

  it('a file that is not an image is refused with the reason, naming it', async () => {
    const { session, close } = await openSession();
    try {
      await expect(session.encodeImage({ name: 'notes.txt', bytes: new TextEncoder().encode('not a picture at all'), k: 8 })).rejects.toThrow(
        '"notes.txt" cannot be encoded: not an image (unrecognised or unsupported format)',
      );
    } finally {
      close();
    }
  });

  it('a 300-megapixel image is refused from its header, saying its size and the limit', async () => {
    const { session, close } = await openSession();
    try {
      await expect(session.encodeImage({ name: 'huge.png', bytes: await pngOf300Megapixels(), k: 8 })).rejects.toThrow(
        '"huge.png" cannot be encoded: image too large: 20000×15000 (300 megapixels) exceeds the 100-megapixel limit',
      );
    } finally {
      close();
    }
  });
});
