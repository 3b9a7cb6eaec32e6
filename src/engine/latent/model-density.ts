/**
 * A model's latent density: fitted to the means μ(x) of its training images (after training, and by
 * `latentscape prepare` for models trained before there was one) and stored in manifest.json. Random
 * latents are drawn from it by shared/latent-density.ts's `drawLatents`, the same in the engine and the page.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gatherImages, seededPermutation, type Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import { writeFileAtomic } from '../../node/files';
import { yieldToEventLoop } from '../../node/event-loop';
import { densityFromJson, densityToJson, type LatentDensity } from '../../shared/latent-density';
import { MODEL_FORMAT_VERSION, parseManifest, type ModelManifest } from '../train/checkpoint';
import { MAX_FIT_POINTS, fitLatentDensity, type DensityFitResult } from './density-fit';

/** Images embedded per slice, yielding between slices. */
const EMBED_SLICE = 500;

/** The density a manifest carries, or null (a format-1 model, or one whose training was cancelled). */
export function manifestDensity(m: Pick<ModelManifest, 'latentDensity'>): LatentDensity | null {
  return m.latentDensity ? densityFromJson(m.latentDensity) : null;
}

/**
 * Fits the density to the means of the images `indices` names (the training split): a seeded
 * subsample of at most MAX_FIT_POINTS of them is embedded, the rest would not change the fit.
 */
export async function fitModelDensity(
  vae: Vae,
  dataset: Dataset,
  indices: ArrayLike<number>,
  options: { seed?: number; signal?: AbortSignal } = {},
): Promise<DensityFitResult> {
  const seed = options.seed ?? 0;
  const order = seededPermutation(indices.length, seed + 101);
  const n = Math.min(indices.length, MAX_FIT_POINTS);
  const chosen = Uint32Array.from({ length: n }, (_, i) => indices[order[i]]);
  const d = vae.config.latentDim;
  const means = new Float32Array(n * d);
  for (let from = 0; from < n; from += EMBED_SLICE) {
    const to = Math.min(n, from + EMBED_SLICE);
    means.set(await vae.embed(gatherImages(dataset, chosen, from, to), to - from), from * d);
    await yieldToEventLoop();
  }
  return fitLatentDensity(means, n, d, options);
}

/**
 * Puts `density` into the manifest of the model in `dir` (format 2, a new `updatedAt`, so caches keyed by
 * it refresh), checking the result parses before it replaces the old file atomically.
 */
export async function storeDensity(dir: string, density: LatentDensity): Promise<ModelManifest> {
  const file = join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify(
    {
      ...raw,
      formatVersion: Math.max(Number(raw.formatVersion) || 0, MODEL_FORMAT_VERSION),
      updatedAt: new Date().toISOString(),
      latentDensity: densityToJson(density),
    },
    null,
    2,
  );
  const manifest = parseManifest(text, dir);
  await writeFileAtomic(file, text);
  return manifest;
}
