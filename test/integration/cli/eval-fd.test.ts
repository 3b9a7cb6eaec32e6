import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
let cache: string;

function cli(...args: string[]): CliRun {
  // The feature nets are cached under XDG_CACHE_HOME: a folder of this test's own.
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm', XDG_CACHE_HOME: cache });
}

/** `count` seeded noise images of size×size×channels, as raw uint8 (the format --score-images reads). */
function noiseImages(count: number, size: number, channels = 1): Uint8Array {
  const out = new Uint8Array(count * size * size * channels);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

beforeAll(async () => {
  dir = await tempDir();
  cache = join(dir.path, 'cache');
  model = join(dir.path, 'm');
  const r = cli('train', '--data', 'mnist', '--arch', 'mlp', '--latent', '2', '--epochs', '1', '--limit', '200', '--out', model, '--json');
  expect(r.code).toBe(0);
}, 180_000);
afterAll(() => dir.cleanup());

describe('latentscape eval: Fréchet distances', () => {
  it('reports sample, floor and reconstruction distances, the z source and the feature space; the feature net is cached', async () => {
    const args = ['eval', '--model', model, '--limit', '100', '--k', '5', '--fd-count', '50', '--json'];
    const first = cli(...args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const final = first.lines.at(-1)!;
    // The model's fitted latent density is the default sampler, as in `sample` and the app.
    expect(final).toMatchObject({ fd_n: 50, fd_reference_n: 100, feature_labels: true, feature_cache: 'miss' });
    expect(final.z_source).toMatch(/^fitted density \(\d components?\)$/);
    expect(final.feature_space).toMatch(/classifier on the dataset's 10 labels/);
    for (const key of ['sample_fd', 'floor_fd', 'recon_fd']) expect(final[key]).toBeGreaterThan(0);
    // One epoch on 200 images: its samples are further from the data than held-out real images.
    expect(final.sample_fd).toBeGreaterThan(final.floor_fd as number);
    expect((await readdir(join(cache, 'latentscape', 'features'))).filter((f) => f.endsWith('.bin'))).toHaveLength(1);

    const second = cli(...args).lines.at(-1)!;
    expect(second.feature_cache).toBe('hit');
    for (const key of ['sample_fd', 'floor_fd', 'recon_fd']) expect(second[key]).toBe(final[key]);

    // N(0, I) stays a choice, named as such; its samples are other images, so another distance.
    const normal = cli(...args, '--z-source', 'normal').lines.at(-1)!;
    expect(normal.z_source).toBe('N(0, I)');
    expect(normal.sample_fd).not.toBe(final.sample_fd);
    expect(normal.floor_fd).toBe(final.floor_fd);
  });

  it('--record writes the figures into the manifest, touching nothing else', async () => {
    // A small folder of two labels, so the whole dataset (which --record measures) is quick.
    const folder = join(dir.path, 'two-labels');
    for (const [label, g] of [
      ['dark', 40],
      ['light', 200],
    ] as const) {
      await mkdir(join(folder, label), { recursive: true });
      for (let i = 0; i < 20; i++) {
        const background = { r: (i * 37) % 256, g, b: 90 };
        await sharp({ create: { width: 8, height: 8, channels: 3, background } })
          .png()
          .toFile(join(folder, label, `img${i}.png`));
      }
    }
    const small = join(dir.path, 'small');
    const trained = cli(
      'train',
      '--data',
      folder,
      '--arch',
      'mlp',
      '--size',
      '8',
      '--color',
      'gray',
      '--latent',
      '2',
      '--epochs',
      '1',
      '--out',
      small,
      '--json',
    );
    expect(trained.code).toBe(0);
    const before = JSON.parse(await readFile(join(small, 'manifest.json'), 'utf8'));
    const weights = await readFile(join(small, 'weights.bin'));
    const r = cli('eval', '--model', small, '--k', '5', '--record', '--json');
    expect(r.code).toBe(0);
    const final = r.lines.at(-1)!;
    const after = JSON.parse(await readFile(join(small, 'manifest.json'), 'utf8'));
    expect(after.sampleQuality).toEqual({
      epoch: 1,
      sample_fd: final.sample_fd,
      floor_fd: final.floor_fd,
      recon_fd: final.recon_fd,
      fd_n: 4,
      z_source: final.z_source,
      feature_space: final.feature_space,
      feature_labels: true,
    });
    const { sampleQuality, ...rest } = after;
    expect(sampleQuality).toBeDefined();
    expect(rest).toEqual(before);
    expect((await readFile(join(small, 'weights.bin'))).equals(weights)).toBe(true);
    // The model still opens, with its figures.
    expect(cli('eval', '--model', small, '--k', '5', '--skip-fd').code).toBe(0);
  });

  it('scores an image file with the same net and reference, with or without the model', async () => {
    const file = join(dir.path, 'noise.u8');
    await writeFile(file, noiseImages(40, 28));
    const withModel = cli('eval', '--model', model, '--limit', '100', '--k', '5', '--fd-count', '50', '--score-images', file, '--json').lines.at(-1)!;
    const alone = cli('eval', '--data', 'mnist', '--limit', '100', '--score-images', file, '--json');
    expect(alone.code).toBe(0);
    const scored = alone.lines.at(-1)!;
    expect(scored).toMatchObject({ score_n: 40, feature_cache: 'hit', feature_labels: true });
    expect(scored.score_fd).toBe(withModel.score_fd);
    expect(scored).not.toHaveProperty('sample_fd');
    // Noise is further from digits than the model's samples.
    expect(scored.score_fd).toBeGreaterThan(withModel.sample_fd as number);
  });

  it('marks a figure measured without labels (a flat folder)', async () => {
    const folder = join(dir.path, 'flat');
    await mkdir(folder);
    for (let i = 0; i < 30; i++) {
      const background = { r: (i * 37) % 256, g: (i * 91) % 256, b: 90 };
      await sharp({ create: { width: 16, height: 16, channels: 3, background } })
        .png()
        .toFile(join(folder, `img${i}.png`));
    }
    const file = join(dir.path, 'noise-8.u8');
    await writeFile(file, noiseImages(10, 8));
    const r = cli('eval', '--data', folder, '--size', '8', '--color', 'gray', '--score-images', file, '--json');
    expect(r.code).toBe(0);
    const final = r.lines.at(-1)!;
    expect(final.feature_labels).toBe(false);
    expect(final.feature_space).toMatch(/no labels/);
    expect(await readdir(folder)).toHaveLength(30);
  });

  it.each([
    ['a file that is not whole images', 'odd.u8', 28 * 28 * 3 + 1, /not raw uint8 images of 28×28×1 \(HWC\)/],
    ['a single image', 'one.u8', 28 * 28, /holds one 28×28×1 image; scoring needs at least 2/],
  ])('refuses %s with a message', async (_what, name, bytes, message) => {
    const file = join(dir.path, name);
    await writeFile(file, new Uint8Array(bytes));
    const r = cli('eval', '--data', 'mnist', '--limit', '100', '--score-images', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [['eval', '--limit', '10'], /--model is required/],
    [['eval', '--model', 'm', '--z-source', 'uniform'], /--z-source must be one of normal/],
    [['eval', '--model', 'm', '--skip-fd', '--score-images', 'x'], /--skip-fd and --score-images exclude each other/],
    [['eval', '--model', 'm', '--record', '--limit', '10'], /--record writes the model's own figures/],
    [['eval', '--model', 'm', '--size', '64'], /--size, --color and --fit are for --data without --model/],
  ])('refuses bad arguments: %j', (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
