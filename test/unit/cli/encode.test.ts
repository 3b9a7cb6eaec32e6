/**
 * `latentscape encode --model M FILE… --json`: a training image's own file gives its μ (as the model
 * embeds its dataset), its σ, reconstruction error and itself as the nearest training image; a file
 * that is not an image is listed with the reason while the others are still encoded (exit 1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';
import { loadDataset } from '../../../src/engine/data/load';
import { Vae, makeConfig } from '../../../src/engine/model/vae';
import { saveModel } from '../../../src/engine/train/checkpoint';
import { TEST_BACKEND, tempDir, useTestBackend } from '../helpers';

const SIZE = 8;
const PRE = { size: SIZE, color: 'rgb', fit: 'cover', background: 'white' } as const;
let root: { path: string; cleanup: () => Promise<void> };
let images: string;
let model: string;
let stored: { mu: Float32Array; files: string[]; train: Uint32Array };
const savedCacheHome = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-cli-encode-');
  process.env.XDG_CACHE_HOME = join(root.path, 'cache');
  images = join(root.path, 'images');
  for (let i = 0; i < 6; i++) {
    const label = i % 2 ? 'b' : 'a';
    await mkdir(join(images, label), { recursive: true });
    await sharp({ create: { width: 10 + i, height: 9, channels: 3, background: { r: 40 * i, g: 255 - 30 * i, b: 90 } } })
      .png()
      .toFile(join(images, label, `${i}.png`));
  }
  const { dataset } = await loadDataset(images, { ...PRE, cacheDir: join(root.path, 'cache') });
  model = join(root.path, 'model');
  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: SIZE, channels: 3, hidden: 16 }), 2);
  await saveModel(model, vae, {
    dataset: {
      name: 'images',
      source: { kind: 'folder', path: images },
      fingerprint: dataset.fingerprint,
      count: 6,
      labelNames: dataset.labelNames,
      preprocessing: { ...PRE },
    },
  });
  stored = { mu: await vae.embed(dataset.pixels, dataset.count), files: dataset.files!, train: dataset.split.train };
  vae.dispose();
});
afterAll(async () => {
  vi.restoreAllMocks();
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await root?.cleanup();
});

function capture(): { stdout: string[] } {
  const seen = { stdout: [] as string[] };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (seen.stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return seen;
}

interface Final {
  images: {
    file: string;
    mu: number[];
    sigma: number[];
    recon_nats: number;
    rmse: number;
    nearest: { index: number; file: string; label: string; distance: number }[];
  }[];
  failed: { file: string; reason: string }[];
}

describe('latentscape encode', () => {
  it("gives a training image's stored μ and itself as the nearest; a non-image is listed with the reason", async () => {
    const index = stored.train[0];
    const notes = join(root.path, 'notes.txt');
    await writeFile(notes, 'not an image');
    const seen = capture();
    const code = await main(['encode', '--model', model, '--backend', TEST_BACKEND, '--json', join(images, stored.files[index]), notes]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    const final = JSON.parse(seen.stdout.join('').trim().split('\n').at(-1)!) as Final;
    expect(final.failed).toEqual([{ file: notes, reason: 'not an image (unrecognised or unsupported format)' }]);
    const [image] = final.images;
    expect(image.mu[0]).toBeCloseTo(stored.mu[index * 2], 4);
    expect(image.mu[1]).toBeCloseTo(stored.mu[index * 2 + 1], 4);
    expect(image.sigma.every((s) => s > 0)).toBe(true);
    expect(image.recon_nats).toBeGreaterThan(0);
    expect(image.nearest[0]).toMatchObject({ index, file: stored.files[index], label: stored.files[index].split('/')[0] });
    expect(image.nearest[0].distance).toBeCloseTo(0, 4);
    expect(image.nearest.length).toBe(Math.min(8, stored.train.length));
  });

  it('needs at least one file', async () => {
    capture();
    const code = await main(['encode', '--model', model]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
  });
});
