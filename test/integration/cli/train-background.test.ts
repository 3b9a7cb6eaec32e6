/** `train --background`: recorded in the manifest; a resumed model keeps the one it was trained on. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../unit/helpers';

let dir: { path: string; cleanup: () => Promise<void> };
let images: string;
beforeAll(async () => {
  dir = await tempDir('latentscape-train-background-');
  images = join(dir.path, 'dots');
  await mkdir(images);
  for (let i = 0; i < 20; i++) {
    const data = Buffer.alloc(8 * 8 * 4);
    data.set([255, 20 * i, 0, 255], (i % 64) * 4);
    await sharp(data, { raw: { width: 8, height: 8, channels: 4 } })
      .png()
      .toFile(join(images, `${i}.png`));
  }
});
afterAll(() => dir.cleanup());

const train = (...args: string[]) =>
  runCli(['train', '--data', images, '--arch', 'mlp', '--latent', '2', '--size', '8', '--seed', '1', ...args], {
    LATENTSCAPE_BACKEND: 'wasm',
    XDG_CACHE_HOME: join(dir.path, 'cache'),
  });

describe('latentscape train --background', () => {
  it('records the background; --resume of a model from before the setting keeps black', async () => {
    const out = join(dir.path, 'model');
    const first = train('--epochs', '1', '--background', '#336699', '--out', out, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const file = join(out, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    expect(manifest.dataset.preprocessing).toMatchObject({ size: 8, color: 'rgb', fit: 'cover', background: '#336699' });

    // Resumed without --background: the recorded colour, so the fingerprint matches.
    expect(train('--epochs', '2', '--resume', '--out', out, '--json').code).toBe(0);

    // A model from before the setting was flattened onto black: retrain on black, then forget the record.
    const old = join(dir.path, 'old');
    expect(train('--epochs', '1', '--background', 'black', '--out', old, '--json').code).toBe(0);
    const oldManifest = JSON.parse(await readFile(join(old, 'manifest.json'), 'utf8'));
    delete oldManifest.dataset.preprocessing.background;
    await writeFile(join(old, 'manifest.json'), JSON.stringify(oldManifest));
    const resumed = train('--epochs', '2', '--resume', '--out', old, '--json');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.lines.at(-1)).toMatchObject({ epoch: 2, final: true });
  });

  it('refuses a bad --background before loading anything', () => {
    const r = train('--epochs', '1', '--background', 'plaid', '--out', join(dir.path, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/latentscape train: --background must be "white", "black" or a colour like "#336699", got "plaid"/);
  });
});
