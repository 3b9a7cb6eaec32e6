#!/usr/bin/env node
/**
 * The app's counterpart of torch_vae.py's grids: reconstructions (rows of 8 held-out originals, each
 * followed by their decode(μ)) and 64 samples from the prior, ×4 nearest, into OUT_DIR.
 *
 *   node scripts/reference/app-grids.mjs MODEL_DIR OUT_DIR
 */
import { register } from 'tsx/esm/api';
import { mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

register();
const [modelDir, out] = process.argv.slice(2);
if (!modelDir || !out) {
  console.error('usage: node scripts/reference/app-grids.mjs MODEL_DIR OUT_DIR');
  process.exit(2);
}
const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const { initBackend } = await import(join(src, 'engine', 'backend.ts'));
const { loadModel } = await import(join(src, 'engine', 'train', 'checkpoint.ts'));
const { datasetForModel } = await import(join(src, 'cli', 'model-data.ts'));
const { gatherImages } = await import(join(src, 'engine', 'data', 'dataset.ts'));
const { tileImages } = await import(join(src, 'engine', 'export', 'grid.ts'));
await initBackend(process.env.LATENTSCAPE_BACKEND ?? 'wasm');
const { vae, manifest } = await loadModel(modelDir);
const { dataset } = await datasetForModel(manifest, undefined);
const { height: h, width: w, channels: c } = vae.config;
const size = h * w * c;
const n = 32;
const originals = gatherImages(dataset, dataset.split.test, 0, n);
const recon = await vae.decodeToPixels(await vae.embed(originals, n), n);
const pairs = new Uint8Array(2 * n * size);
for (let r = 0; r < n / 8; r++) {
  pairs.set(originals.subarray(r * 8 * size, (r + 1) * 8 * size), 2 * r * 8 * size);
  pairs.set(recon.subarray(r * 8 * size, (r + 1) * 8 * size), (2 * r + 1) * 8 * size);
}
const samplesT = vae.sample(64, 0);
const samples = Uint8Array.from(await samplesT.data(), (v) => Math.round(v * 255));
samplesT.dispose();
await mkdir(out, { recursive: true });
for (const [name, pixels, count] of [
  ['reconstructions.png', pairs, 2 * n],
  ['samples.png', samples, 64],
]) {
  const grid = tileImages(pixels, count, w, h, c, 4, 8);
  await sharp(grid.pixels, { raw: { width: grid.width, height: grid.height, channels: c } })
    .png()
    .toFile(join(out, name));
}
vae.dispose();
console.log(JSON.stringify({ out, epochs: manifest.epochsCompleted, psnr_db: manifest.metrics.at(-1)?.psnr_db }));
