#!/usr/bin/env node
/**
 * Issue 21's before/after figures of a model, decoded by the engine in Node and tiled with sharp into
 * OUT_DIR (default docs/screenshots), the same every run (fixed seeds):
 *  - generation-prior-grid-{before,after}.png: 64 samples, z ~ N(0, I) (before; still a labelled choice
 *    in the app) and z from the model's fitted latent density (after).
 *  - generation-empty-spots-{before,after}.png: 20 empty spots inside the cloud of the app's 3D PCA view
 *    (drawn uniformly in the points' bounding box, kept when they lie within 1.5 of the density's
 *    Mahalanobis distance in the view). Before: the view's inverse as it was, z = m + V·p, every unseen
 *    dimension at the data's mean; after: the unseen dimensions at their conditional mean under the density.
 *  - generation-manifold-{before,after}.png: the 15 × 15 manifold grid over the view's first two axes
 *    (±2 standard deviations of the points, third axis at the centre), by the same two rules.
 * Prints, as JSON, the mean log-density (under the fitted density) of each figure's latents.
 *
 *   node scripts/reference/generation-screenshots.mjs MODEL_DIR [OUT_DIR]
 */
import { register } from 'tsx/esm/api';
import { mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

register();
const [modelDir, outArg] = process.argv.slice(2);
if (!modelDir) {
  console.error('usage: node scripts/reference/generation-screenshots.mjs MODEL_DIR [OUT_DIR]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = outArg ?? join(root, 'docs', 'screenshots');
const src = join(root, 'src');
const { initBackend } = await import(join(src, 'engine', 'backend.ts'));
const { loadModel } = await import(join(src, 'engine', 'train', 'checkpoint.ts'));
const { datasetForModel } = await import(join(src, 'cli', 'model-data.ts'));
const { tileImages } = await import(join(src, 'engine', 'export', 'grid.ts'));
const { manifestDensity } = await import(join(src, 'engine', 'latent', 'model-density.ts'));
const { projectionFor, project, unproject } = await import(join(src, 'engine', 'latent', 'projection.ts'));
const { DensityView, densityLogPdf, drawLatents, seededUniform } = await import(join(src, 'shared', 'latent-density.ts'));

const SEED = 20_261_206;
const backend = await initBackend(process.env.LATENTSCAPE_BACKEND);
const { vae, manifest } = await loadModel(modelDir);
const density = manifestDensity(manifest);
if (!density) {
  console.error(`${modelDir} has no fitted latent density: run \`latentscape prepare --model ${modelDir}\` first`);
  process.exit(1);
}
const { dataset } = await datasetForModel(manifest, undefined);
const { height: h, width: w, channels: c, latentDim: d } = vae.config;

// The app's 3D view of this model: PCA of every image's μ.
const mu = await vae.embed(dataset.pixels, dataset.count);
const projection = projectionFor(mu, dataset.count, d);
const view = project(projection, mu, dataset.count);
const densityView = new DensityView(density, projection, 3);

const meanLogDensity = (z, n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += densityLogPdf(density, z.subarray(i * d, (i + 1) * d));
  return s / n;
};

/** The latents of view spots by the rule before the density (the data's mean) and after it (the conditional mean). */
function spotLatents(spots) {
  const before = new Float32Array(spots.length * d);
  const after = new Float32Array(spots.length * d);
  spots.forEach((p, i) => {
    before.set(unproject(projection, p), i * d);
    after.set(densityView.conditionalMean(p), i * d);
  });
  return { before, after };
}

// 20 empty spots inside the cloud.
const lo = [Infinity, Infinity, Infinity];
const hi = [-Infinity, -Infinity, -Infinity];
for (let i = 0; i < dataset.count; i++) {
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.min(lo[a], view[i * 3 + a]);
    hi[a] = Math.max(hi[a], view[i * 3 + a]);
  }
}
const uniform = seededUniform(SEED);
const spots = [];
while (spots.length < 20) {
  const p = [0, 1, 2].map((a) => lo[a] + (hi[a] - lo[a]) * uniform());
  if (densityView.mahalanobis(p) <= 1.5) spots.push(p);
}

// The manifold grid over the first two view axes.
const SIDE = 15;
const spread = [0, 1].map((a) => {
  let s = 0;
  for (let i = 0; i < dataset.count; i++) s += view[i * 3 + a] ** 2;
  return Math.sqrt(s / dataset.count);
});
const grid = [];
for (let r = 0; r < SIDE; r++) {
  for (let col = 0; col < SIDE; col++) {
    const u = -2 + (4 * col) / (SIDE - 1);
    const v = 2 - (4 * r) / (SIDE - 1);
    grid.push([u * spread[0], v * spread[1], 0]);
  }
}

const prior = {
  before: drawLatents(density, d, 64, SEED, 'normal').z,
  after: drawLatents(density, d, 64, SEED, 'density').z,
};
// name, latents, count, columns, upscaling
const figures = [
  ['generation-prior-grid', prior, 64, 8, 3],
  ['generation-empty-spots', spotLatents(spots), 20, 10, 3],
  ['generation-manifold', spotLatents(grid), SIDE * SIDE, SIDE, 2],
];

await mkdir(out, { recursive: true });
const report = { model: modelDir, backend: backend.name, epochs: manifest.epochsCompleted, density_components: density.weights.length };
for (const [name, latents, n, columns, scale] of figures) {
  for (const when of ['before', 'after']) {
    const pixels = await vae.decodeToPixels(latents[when], n);
    const tiled = tileImages(pixels, n, w, h, c, scale, columns);
    await sharp(tiled.pixels, { raw: { width: tiled.width, height: tiled.height, channels: c } })
      .png({ compressionLevel: 9, adaptiveFiltering: true })
      .toFile(join(out, `${name}-${when}.png`));
    report[`${name}-${when}_mean_log_density`] = meanLogDensity(latents[when], n);
  }
}
vae.dispose();
console.log(JSON.stringify(report, null, 2));
