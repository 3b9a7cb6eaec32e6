/**
 * The image-folder background: transparency flattened onto white (default), black or a colour, in
 * RGB and gray; part of the fingerprint and the cache key; recorded in the model's manifest and used
 * again when the model's folder is opened, an old model without it meaning black.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetForModel } from '../../../../src/cli/model-data';
import { ingestFolder, type IngestOptions } from '../../../../src/engine/data/image-folder';
import { loadDataset } from '../../../../src/engine/data/load';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { inspectModel } from '../../../../src/engine/model-inspect';
import { readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { tempDir, useTestBackend } from '../../helpers';

const SIZE = 9;
let root: { path: string; cleanup: () => Promise<void> };
let folder: string;
let cacheDir: string;

/** A SIZE × SIZE transparent image with one opaque pixel in the middle, as RGBA or gray + alpha. */
async function transparentWithDot(file: string, dot: [number, number, number], form: 'rgba' | 'gray' | 'palette' | 'gif'): Promise<void> {
  const data = Buffer.alloc(SIZE * SIZE * 4); // every pixel (0, 0, 0, alpha 0)
  data.set([...dot, 255], ((SIZE * SIZE) >> 1) * 4);
  let image = sharp(data, { raw: { width: SIZE, height: SIZE, channels: 4 } });
  if (form === 'gray') image = image.toColourspace('b-w');
  await (form === 'gif' ? image.gif() : image.png({ palette: form === 'palette' })).toFile(file);
}

beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-background-');
  folder = join(root.path, 'icons');
  cacheDir = join(root.path, 'cache');
  await mkdir(folder);
  await transparentWithDot(join(folder, 'a-rgba.png'), [255, 0, 0], 'rgba');
  await transparentWithDot(join(folder, 'b-gray-alpha.png'), [200, 200, 200], 'gray');
  await transparentWithDot(join(folder, 'd-palette.png'), [255, 0, 0], 'palette'); // transparency as a tRNS chunk
  await transparentWithDot(join(folder, 'e-transparent.gif'), [255, 0, 0], 'gif');
  // The colour itself, opaque: what a transparent corner flattened onto it must look like.
  await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: 0x33, g: 0x66, b: 0x99 } } })
    .png()
    .toFile(join(folder, 'c-solid.png'));
});
afterAll(() => root?.cleanup());

const options = (color: 'rgb' | 'gray', background?: string): IngestOptions => ({
  size: SIZE,
  color,
  fit: 'cover',
  cacheDir,
  ...(background ? { background } : {}),
});

function pixel(d: { pixels: Uint8Array; channels: number; width: number; files?: string[] }, file: string, x: number, y: number): number[] {
  const image = d.files!.indexOf(file);
  if (image < 0) throw new Error(`${file} was not loaded`);
  const o = ((image * d.width + y) * d.width + x) * d.channels;
  return [...d.pixels.subarray(o, o + d.channels)];
}

describe('flattening transparency onto the background', () => {
  it.each([
    ['white', [255, 255, 255]],
    ['black', [0, 0, 0]],
    ['#336699', [0x33, 0x66, 0x99]],
  ])('RGB onto %s: the corner is the background, the opaque dot stays', async (background, corner) => {
    const { dataset } = await ingestFolder(folder, options('rgb', background));
    expect(pixel(dataset, 'a-rgba.png', 0, 0)).toEqual(corner);
    expect(pixel(dataset, 'a-rgba.png', SIZE - 1, SIZE - 1)).toEqual(corner);
    expect(pixel(dataset, 'a-rgba.png', 4, 4)).toEqual([255, 0, 0]);
    expect(pixel(dataset, 'b-gray-alpha.png', 0, 0)).toEqual(corner);
    expect(pixel(dataset, 'd-palette.png', 0, 0)).toEqual(corner);
    expect(pixel(dataset, 'e-transparent.gif', 0, 0)).toEqual(corner);
  });

  it('white is the default', async () => {
    const { dataset } = await ingestFolder(folder, options('rgb'));
    expect(pixel(dataset, 'a-rgba.png', 0, 0)).toEqual([255, 255, 255]);
    const loaded = await loadDataset(folder, { size: SIZE, color: 'rgb', cacheDir });
    expect(pixel(loaded.dataset, 'a-rgba.png', 0, 0)).toEqual([255, 255, 255]);
    expect(loaded.preprocessing).toMatchObject({ background: 'white' });
  });

  it('gray: onto white a transparent corner is 255, onto black 0, onto a colour the gray of that colour', async () => {
    const white = await ingestFolder(folder, options('gray', 'white'));
    expect(pixel(white.dataset, 'b-gray-alpha.png', 0, 0)).toEqual([255]);
    expect(pixel(white.dataset, 'a-rgba.png', 0, 0)).toEqual([255]);
    const black = await ingestFolder(folder, options('gray', 'black'));
    expect(pixel(black.dataset, 'b-gray-alpha.png', 0, 0)).toEqual([0]);
    const colour = await ingestFolder(folder, options('gray', '#336699'));
    const solidGray = pixel(colour.dataset, 'c-solid.png', 0, 0);
    expect(solidGray[0]).toBeGreaterThan(0x33);
    expect(solidGray[0]).toBeLessThan(0x99);
    expect(pixel(colour.dataset, 'b-gray-alpha.png', 0, 0)).toEqual(solidGray);
    expect(pixel(colour.dataset, 'a-rgba.png', 0, 0)).toEqual(solidGray);
  });

  it('the fingerprint differs by background; names and their hex agree', async () => {
    const fingerprint = async (background: string): Promise<string> => (await ingestFolder(folder, options('rgb', background))).dataset.fingerprint;
    const white = await fingerprint('white');
    expect(await fingerprint('#FFFFFF')).toBe(white);
    expect(await fingerprint('black')).not.toBe(white);
    expect(await fingerprint('#336699')).not.toBe(white);
  });

  it('a folder cached on black is not reused for white', async () => {
    const cache = join(root.path, 'cache-reuse');
    const first = await ingestFolder(folder, { ...options('rgb', 'black'), cacheDir: cache });
    expect(first.report.cache).toBe('miss');
    expect((await ingestFolder(folder, { ...options('rgb', 'black'), cacheDir: cache })).report.cache).toBe('hit');
    const white = await ingestFolder(folder, { ...options('rgb', 'white'), cacheDir: cache });
    expect(white.report.cache).toBe('miss');
    expect(pixel(white.dataset, 'a-rgba.png', 0, 0)).toEqual([255, 255, 255]);
  });

  it('refuses a background that is not one, with the accepted forms in the message', async () => {
    await expect(ingestFolder(folder, options('rgb', 'sparkly'))).rejects.toThrow(
      /background must be "white", "black" or a colour like "#336699", got "sparkly"/,
    );
    await expect(ingestFolder(folder, options('rgb', '#12345'))).rejects.toThrow(/background must be/);
  });
});

describe("a model's recorded background", () => {
  /** A model folder whose manifest records `preprocessing` for this folder. */
  async function modelWith(name: string, preprocessing: Record<string, string | number>): Promise<string> {
    const dir = join(root.path, name);
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: SIZE, width: SIZE, channels: 3 }), 1);
    await saveModel(dir, vae, {
      dataset: { name: 'icons', source: { kind: 'folder', path: folder }, fingerprint: 'f', count: 3, labelNames: [], preprocessing },
    });
    vae.dispose();
    return dir;
  }

  it('is used again when its folder is opened; an old manifest without it loads and means black', async () => {
    const old = await modelWith('old-model', { size: SIZE, color: 'rgb', fit: 'cover' });
    const white = await modelWith('white-model', { size: SIZE, color: 'rgb', fit: 'cover', background: 'white' });
    const blue = await modelWith('blue-model', { size: SIZE, color: 'rgb', fit: 'cover', background: '#336699' });

    expect((await inspectModel(old)).dataset).toMatchObject({ kind: 'folder', path: folder, background: 'black' });
    expect((await inspectModel(white)).dataset).toMatchObject({ background: 'white' });
    expect((await inspectModel(blue)).dataset).toMatchObject({ background: '#336699' });

    const corner = async (dir: string, override?: string): Promise<number[]> =>
      pixel((await datasetForModel(await readManifest(dir), undefined, override)).dataset, 'a-rgba.png', 0, 0);
    expect(await corner(old)).toEqual([0, 0, 0]);
    expect(await corner(white)).toEqual([255, 255, 255]);
    expect(await corner(blue)).toEqual([0x33, 0x66, 0x99]);
    expect(await corner(old, 'white')).toEqual([255, 255, 255]);
  });
});
