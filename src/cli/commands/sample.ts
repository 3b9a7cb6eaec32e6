/**
 * `latentscape sample --model DIR --out FILE.png [--n N] [--seed S] [--prior density|normal]`: a grid of
 * images decoded from random latents. By default they are drawn from the model's fitted latent density
 * (where its training images' means lie); `--prior normal` draws from N(0, I), the prior the VAE was
 * trained towards; `--prior density` refuses a model without a fitted density. The summary says which.
 */
import sharp from 'sharp';
import { loadModel } from '../../engine/train/checkpoint';
import { required, startBackend } from '../common';
import { choiceOption, createOutput, intOption } from '../io';
import { manifestDensity } from '../../engine/latent/model-density';
import { drawLatents } from '../../shared/latent-density';
import { LATENT_PRIORS } from '../../shared/vocabulary';
import { tileImages } from '../../engine/export/grid';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.sample, argv);
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  const file = required('out', values.out);
  if (!file.toLowerCase().endsWith('.png')) throw new Error(`--out must name a .png file, got "${file}"`);
  const n = intOption('n', values.n, 64, 1, 4096);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const scale = intOption('scale', values.scale, 1, 1, 8);
  const asked = values.prior === undefined ? undefined : choiceOption('prior', values.prior, LATENT_PRIORS, 'density');
  const backend = await startBackend(values.backend, out);
  const { vae, manifest } = await loadModel(dir);
  try {
    // decodeToPixels decodes a batch at a time under the activation budget (model/decode-batches.ts).
    const { height, width, channels, latentDim } = vae.config;
    const density = manifestDensity(manifest);
    const { z, prior } = drawLatents(density, latentDim, n, seed, asked);
    if (!density && asked === undefined) out.info('this model has no fitted latent density: sampling from N(0, I) (`latentscape prepare` fits one)');
    const pixels = await vae.decodeToPixels(z, n);
    const grid = tileImages(pixels, n, width, height, channels, scale);
    await sharp(grid.pixels, { raw: { width: grid.width, height: grid.height, channels } })
      .png()
      .toFile(file);
    out.final({
      out: file,
      n,
      width: grid.width,
      height: grid.height,
      prior: prior === 'density' ? `fitted density (${density!.weights.length} component${density!.weights.length > 1 ? 's' : ''})` : 'N(0, I)',
      prior_kind: prior,
      backend: backend.name,
    });
  } finally {
    vae.dispose();
  }
}
