import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
let cache: string;

function cli(...args: string[]): CliRun {
  // The feature net is cached under XDG_CACHE_HOME: a folder of this test's own.
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm', XDG_CACHE_HOME: cache });
}

const manifestOf = async (m: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(m, 'manifest.json'), 'utf8'));

beforeAll(async () => {
  dir = await tempDir();
  cache = join(dir.path, 'cache');
  const images = join(dir.path, 'images');
  for (const label of ['warm', 'cold']) {
    await mkdir(join(images, label), { recursive: true });
    for (let i = 0; i < 30; i++) {
      const v = (i * 8) % 255;
      const background = label === 'warm' ? { r: 255, g: v, b: 0 } : { r: 0, g: v, b: 255 };
      await sharp({ create: { width: 16, height: 16, channels: 3, background } })
        .png()
        .toFile(join(images, label, `${i}.png`));
    }
  }
  model = join(dir.path, 'm');
  const r = cli('train', '--data', images, '--size', '16', '--arch', 'mlp', '--latent', '2', '--epochs', '1', '--out', model, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 180_000);
afterAll(() => dir.cleanup());

describe('latentscape prepare: the sample distance', () => {
  it('measures it and records it in the manifest, where the library and the training panel read it', async () => {
    const skipped = join(dir.path, 'skipped');
    await cp(model, skipped, { recursive: true });
    const prepared = cli('prepare', '--model', model, '--json');
    expect(prepared.code).toBe(0);
    const final = prepared.lines.at(-1)!;
    expect(final.sample_fd).toBeGreaterThan(0);
    expect(final.floor_fd).toBeGreaterThanOrEqual(0);
    expect(final.feature_space).toMatch(/classifier on the dataset's 2 labels/);
    expect(prepared.lines.some((l) => l.stage === 'fd samples')).toBe(true);
    const recorded = (await manifestOf(model)).sampleQuality as Record<string, unknown>;
    expect(recorded).toMatchObject({ sample_fd: final.sample_fd, floor_fd: final.floor_fd, fd_n: final.fd_n, epoch: 1, feature_labels: true });
    expect(recorded.z_source).toMatch(/^fitted density/);

    // --skip-fd leaves it out.
    const plain = cli('prepare', '--model', skipped, '--json', '--skip-fd');
    expect(plain.code).toBe(0);
    expect(plain.lines.at(-1)).not.toHaveProperty('sample_fd');
    expect(await manifestOf(skipped)).not.toHaveProperty('sampleQuality');
  });
});
