/**
 * `latentscape train` without model options trains what suggestTraining says for the dataset, the
 * app's source of defaults too: on a colour folder a conv VAE with a 32-d latent, not a 2-d one.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../unit/helpers';
import { suggestTraining } from '../../../src/shared/training-defaults';

let dir: { path: string; cleanup: () => Promise<void> };
let images: string;
beforeAll(async () => {
  dir = await tempDir('latentscape-train-defaults-');
  images = join(dir.path, 'colours');
  await mkdir(images);
  for (let i = 0; i < 40; i++) {
    await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 } } })
      .png()
      .toFile(join(images, `${i}.png`));
  }
});
afterAll(() => dir.cleanup());

async function trained(out: string, ...args: string[]) {
  const r = runCli(['train', ...args, '--out', out, '--json'], { LATENTSCAPE_BACKEND: 'wasm', XDG_CACHE_HOME: join(dir.path, 'cache') });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
}

describe('train with the dataset defaults', () => {
  it("on a colour folder: suggestTraining's model, latent size included", async () => {
    // A budget of 1 s: the run stops after its first epoch; the model is what matters here.
    const manifest = await trained(join(dir.path, 'folder'), '--data', images, '--time-budget', '1');
    const s = suggestTraining({ kind: 'folder', trainCount: manifest.dataset.count - Math.round(manifest.dataset.count * 0.1), height: 32, channels: 3 });
    expect(s.latentDim).toBe(32);
    expect(manifest.config).toMatchObject({
      arch: s.arch,
      latentDim: s.latentDim,
      height: 32,
      channels: 3,
      likelihood: s.likelihood,
      learnedScale: s.learnedScale,
    });
    expect(manifest.training).toMatchObject({ batchSize: s.batchSize, lr: s.lr });
  });

  it("on MNIST: suggestTraining's 2-d mlp", async () => {
    const manifest = await trained(join(dir.path, 'mnist'), '--data', 'mnist', '--limit', '100', '--epochs', '1');
    const s = suggestTraining({ kind: 'mnist', trainCount: 100, height: 28, channels: 1 });
    expect(manifest.config).toMatchObject({ arch: s.arch, latentDim: s.latentDim, likelihood: s.likelihood });
    expect(manifest.training).toMatchObject({ batchSize: s.batchSize, lr: s.lr });
  });
});
