/**
 * A model's latent density: fitted to the means μ(x) of its training images (after training, and by
 * `latentscape prepare` for models trained before there was one), stored in manifest.json, and what a
 * random z is drawn from wherever the app samples (`latentZ`): the fitted density when the model has one,
 * N(0, I) when it has none or when N(0, I) is asked for.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gatherImages, seededPermutation, type Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import { writeFileAtomic } from '../../node/files';
import { yieldToEventLoop } from '../../node/event-loop';
import { densityFromJson, densityToJson, sampleDensity, seededNormal, type LatentDensity } from '../../shared/latent-density';
import type { LatentPrior } from '../../shared/vocabulary';
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
    means.set(vae.embed(gatherImages(dataset, chosen, from, to), to - from), from * d);
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

/** n standard normal numbers from `seed` (Box–Muller over mulberry32): the same on every backend. */
export function standardNormals(n: number, seed: number): Float32Array {
  const next = seededNormal(seed);
  return Float32Array.from({ length: n }, next);
}

/**
 * n random latents (n × d) from `seed`: from the fitted density when there is one and 'normal' is not
 * asked for, else from N(0, I). Says which it used; asking for 'density' of a model without one throws.
 */
export function latentZ(density: LatentDensity | null, d: number, n: number, seed: number, prior?: LatentPrior): { z: Float32Array; prior: LatentPrior } {
  if (prior === 'density' && !density) throw new Error('this model has no fitted latent density (run `latentscape prepare --model DIR` to fit one)');
  if (density && prior !== 'normal') return { z: sampleDensity(density, n, seed), prior: 'density' };
  return { z: standardNormals(n * d, seed), prior: 'normal' };
}
