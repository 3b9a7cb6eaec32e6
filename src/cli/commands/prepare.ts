/**
 * `latentscape prepare --model DIR [--data mnist|PATH] [--background white|black|#rrggbb] [--strip-optimizer]`:
 * computes what the app shows of a model — every image's latent mean, reconstruction error (nats and
 * RMS levels) and KL — and stores it beside the model (points.bin), so the app opens the model with its
 * cloud on screen at once — and fits the density of the training images' means in latent space
 * (engine/latent/density-fit.ts), stored in the manifest, which sampling draws from (models trained
 * before there was one get it here) — and, unless `--skip-fd`, measures the sample distance the library and
 * the training panel show (engine/quality/model-quality.ts: the dataset's cached feature net, at most
 * 1,000 images per set), recorded in the manifest.
 * `--strip-optimizer` drops the Adam state (optimizer.bin) to ship the model small; a resumed
 * training then starts Adam afresh.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../node/files';
import { pointStats } from '../../engine/latent/point-stats';
import { writePointCache, POINT_CACHE_FILE } from '../../engine/latent/point-cache';
import { loadModel, readManifest } from '../../engine/train/checkpoint';
import { backgroundOption, required, startBackend } from '../common';
import { datasetForModel, embedWithProgress, ingestBar } from '../model-data';
import { fitLatentDensity } from '../../engine/latent/density-fit';
import { storeDensity } from '../../engine/latent/model-density';
import { measureModelQuality } from '../../engine/quality/model-quality';
import type { Dataset } from '../../engine/data/dataset';
import type { Vae } from '../../engine/model/vae';
import type { SampleQualityRecord } from '../../shared/contract';
import { CancelledError, createOutput, type CliOutput } from '../io';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.prepare, argv);
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  // The model's own background unless --background says otherwise (datasetForModel).
  const background = backgroundOption(values.background);
  const backend = await startBackend(values.backend, out);
  await readManifest(dir);
  const { vae, manifest } = await loadModel(dir);
  try {
    const dataset = (await datasetForModel(manifest, values.data, background, ingestBar(out))).dataset;
    const started = performance.now();
    const mu = await embedWithProgress(vae, dataset, dataset.count, out);
    const { recon, kl, rmse } = await pointStats(vae, dataset, (done, total) => {
      if (!out.json) out.progress({ stage: 'stats', done, total }, { done, total, label: 'reconstruction error and KL' });
    });
    const seconds = (performance.now() - started) / 1000;
    const key = { weightsSha256: manifest.weights.sha256, fingerprint: dataset.fingerprint, count: dataset.count, latentDim: vae.config.latentDim };
    if (!(await writePointCache(dir, key, { mu, recon, kl, rmse }))) throw new Error(`cannot write ${join(dir, POINT_CACHE_FILE)}`);
    const d = vae.config.latentDim;
    const train = dataset.split.train;
    const trainMu = new Float32Array(train.length * d);
    for (let i = 0; i < train.length; i++) trainMu.set(mu.subarray(train[i] * d, (train[i] + 1) * d), i * d);
    const fit = train.length >= 2 * (d + 1) ? await fitLatentDensity(trainMu, train.length, d, { seed: manifest.training?.seed ?? 0 }) : null;
    if (fit) await storeDensity(dir, fit.density);
    else out.info(`${train.length} training images are too few to fit a latent density of size ${d}: sampling stays N(0, I)`);
    const quality = values['skip-fd'] ? null : await measureWithProgress(dir, vae, dataset, values['feature-cache'], out);
    let stripped = false;
    if (values['strip-optimizer'] && manifest.optimizer) {
      // The manifest stops naming the optimizer state before the file goes: never a dangling entry.
      const file = join(dir, 'manifest.json');
      const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      raw.optimizer = null;
      await writeFileAtomic(file, JSON.stringify(raw, null, 2));
      await rm(join(dir, manifest.optimizer.file), { force: true });
      stripped = true;
    }
    let meanRecon = 0;
    let meanKl = 0;
    let meanRmse = 0;
    for (let i = 0; i < dataset.count; i++) {
      meanRecon += recon[i] / dataset.count;
      meanKl += kl[i] / dataset.count;
      meanRmse += rmse[i] / dataset.count;
    }
    out.final({
      model: dir,
      points: dataset.count,
      latent: vae.config.latentDim,
      mean_recon: meanRecon,
      mean_kl: meanKl,
      mean_rmse: meanRmse,
      seconds,
      optimizer_stripped: stripped,
      density_components: fit?.density.weights.length ?? null,
      density_heldout_loglik: fit?.density.heldOutLogLikelihood ?? null,
      ...(quality ? { sample_fd: quality.sample_fd, floor_fd: quality.floor_fd, fd_n: quality.fd_n, feature_space: quality.feature_space } : {}),
      backend: backend.name,
    });
  } finally {
    vae.dispose();
  }
}

/** The sample distance, recorded in the manifest, with a bar per stage; Ctrl-C stops it and exits cancelled. */
async function measureWithProgress(dir: string, vae: Vae, dataset: Dataset, cacheDir: string | undefined, out: CliOutput): Promise<SampleQualityRecord> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let shown = '';
  try {
    return await measureModelQuality(dir, vae, dataset, {
      signal: controller.signal,
      ...(cacheDir ? { cacheDir } : {}),
      onProgress: ({ stage, done, total }) => {
        const key = `${stage}:${Math.floor((100 * done) / total)}`;
        if (key === shown) return;
        shown = key;
        out.progress({ stage: `fd ${stage}`, done, total }, { done, total, label: `sample distance: ${stage}` });
      },
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw new CancelledError();
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
