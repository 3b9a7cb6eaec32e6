/**
 * `latentscape train --seed S` on a folder trains on the folder's default split (as the app does), so
 * `latentscape eval`, which ingests the folder again, scores the model on the very images it held out.
 * Before this, --seed also seeded the split: eval (always the default split) then scored a --seed 3
 * model partly on its own training images, and its PSNR differed from the one training reported.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalStream, runCli, tempDir } from '../../unit/helpers';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
  // 60 noisy 12×12 images in 2 labels: each held-out set gives its own PSNR.
  const next = normalStream(11);
  for (const label of ['a', 'b']) {
    await mkdir(join(dir.path, 'images', label), { recursive: true });
    for (let i = 0; i < 30; i++) {
      const pixels = Buffer.from(Array.from({ length: 12 * 12 * 3 }, () => Math.max(0, Math.min(255, Math.round(128 + 60 * next())))));
      await sharp(pixels, { raw: { width: 12, height: 12, channels: 3 } })
        .png()
        .toFile(join(dir.path, 'images', label, `${i}.png`));
    }
  }
});
afterAll(() => dir.cleanup());

describe('latentscape train --seed on a folder', () => {
  it('holds out the default split, so eval reports the PSNR and test count training did', async () => {
    const model = join(dir.path, 'seed3');
    const env = { LATENTSCAPE_BACKEND: 'wasm', XDG_CACHE_HOME: join(dir.path, 'cache') };
    const common = ['--arch', 'mlp', '--latent', '2', '--size', '12', '--epochs', '1', '--batch', '16', '--json'];
    const trained = runCli(['train', '--data', join(dir.path, 'images'), ...common, '--seed', '3', '--out', model], env);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8')) as { metrics: { psnr_db: number }[] };
    const trainedPsnr = manifest.metrics.at(-1)!.psnr_db;
    const evaluated = runCli(['eval', '--model', model, '--k', '2', '--json'], env);
    expect(evaluated.code).toBe(0);
    const final = evaluated.lines.at(-1)!;
    expect(final.n).toBe(6); // 10 % of 60
    expect(final.psnr_db as number).toBeCloseTo(trainedPsnr, 6);
  }, 180_000);
});
