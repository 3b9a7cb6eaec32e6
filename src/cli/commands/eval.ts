import * as tf from '@tensorflow/tfjs-core';
import { limitDataset, gatherImages, type Dataset } from '../../engine/data/dataset';
import { loadDataset } from '../../engine/data/load';
import { imagesToTensor, type Vae } from '../../engine/model/vae';
import { roundTripBatchSize } from '../../engine/model/decode-batches';
import { loadModel } from '../../engine/train/checkpoint';
import { evaluateHeldOut } from '../../engine/train/trainer';
import { takeValues } from '../../engine/tensor-read';
import { LATENT_SOURCES, LATENT_SOURCE_NAMES, SAMPLE_QUALITY_COUNT } from '../../engine/quality/sample-quality';
import { COLOR_MODES, FIT_MODES } from '../../shared/vocabulary';
import { backgroundOption, required, startBackend } from '../common';
import { CancelledError, UsageError, choiceOption, createOutput, intOption, type CliOutput } from '../io';
import { datasetForModel } from '../model-data';
import { frechetFigures, sampleQualityRecord } from '../sample-quality';
import { recordSampleQuality } from '../../engine/train/manifest-quality';
import { manifestDensity } from '../../engine/latent/model-density';
import { evalHeadline } from '../headline';
import { bitsPerDim, imageDims } from '../../shared/headline-figures';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.eval, argv);
  const out = createOutput(Boolean(values.json));
  const scoreFile = values['score-images'];
  if (values.model === undefined && scoreFile === undefined) required('model', values.model);
  if (values.record && (values.model === undefined || values['skip-fd'] || values.limit !== undefined || values.data !== undefined)) {
    throw new UsageError("--record writes the model's own figures: it needs --model, without --skip-fd, --limit or --data");
  }
  if (values.model !== undefined && (values.size ?? values.color ?? values.fit) !== undefined) {
    throw new UsageError('--size, --color and --fit are for --data without --model: a model is evaluated on images ingested as it was trained');
  }
  if (values['skip-fd'] && scoreFile !== undefined)
    throw new UsageError('--skip-fd and --score-images exclude each other: scoring images is a Fréchet distance');
  const K = intOption('k', values.k, 1000, 1, 100000);
  const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 0, 1);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const fdCount = intOption('fd-count', values['fd-count'], SAMPLE_QUALITY_COUNT, 2, 100000);
  // Unset: the model's fitted density where it has one (as `sample` and the app draw), else N(0, I).
  const zSourceChoice = values['z-source'] === undefined ? undefined : choiceOption('z-source', values['z-source'], LATENT_SOURCE_NAMES, 'normal');
  // The model's own background unless --background says otherwise (datasetForModel).
  const background = backgroundOption(values.background);
  try {
    const backend = await startBackend(values.backend, out);
    const fd = { seed, count: fdCount, cacheDir: values['feature-cache'], scoreFile };
    if (values.model === undefined) {
      const dataset = limitDataset((await datasetForScoring(values)).dataset, limit);
      out.final({ ...(await frechetFigures(out, { ...fd, dataset })), backend: backend.name });
      return;
    }
    const { vae, manifest } = await loadModel(values.model);
    try {
      const dataset = limitDataset((await datasetForModel(manifest, values.data, background)).dataset, limit);
      const heldOut = await heldOutFigures(out, vae, dataset, { K, seed, beta: manifest.training?.beta ?? 1, binarize: manifest.training?.binarize ?? false });
      const density = manifestDensity(manifest);
      const zSource = zSourceChoice ?? (density ? 'density' : 'normal');
      const model = { vae, source: LATENT_SOURCES[zSource](vae, density) };
      const figures = values['skip-fd'] ? {} : await frechetFigures(out, { ...fd, dataset, model });
      if (values.record) await recordSampleQuality(values.model, manifest, sampleQualityRecord(manifest.epochsCompleted, figures));
      out.final({ ...heldOut, ...figures, k: K, backend: backend.name }, `${evalHeadline({ ...heldOut, k: K })}\nbackend ${backend.name}`);
    } finally {
      vae.dispose();
    }
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw new CancelledError();
    throw err;
  }
}

function datasetForScoring(values: { data?: string; size?: string; color?: string; fit?: string; background?: string }): ReturnType<typeof loadDataset> {
  const spec = required('data', values.data);
  const isFolder = spec.toLowerCase() !== 'mnist';
  return loadDataset(spec, {
    size: intOption('size', values.size, isFolder ? 32 : 28, 8, 512),
    color: choiceOption('color', values.color, COLOR_MODES, isFolder ? 'rgb' : 'gray'),
    fit: choiceOption('fit', values.fit, FIT_MODES, 'cover'),
    background: backgroundOption(values.background),
  });
}

interface HeldOutFigures {
  n: number;
  test_loss: number;
  recon: number;
  kl: number;
  nll_is: number;
  psnr_db: number;
  test_bpd: number;
  nll_is_bpd: number;
}

/** The held-out ELBO, PSNR and importance-sampled log-likelihood (nats, and bits/dim for the headline). */
async function heldOutFigures(
  out: CliOutput,
  vae: Vae,
  dataset: Dataset,
  { K, seed, beta, binarize }: { K: number; seed: number; beta: number; binarize: boolean },
): Promise<HeldOutFigures> {
  const test = dataset.split.test;
  const { psnr: psnrDb, ...elbo } = await evaluateHeldOut(vae, dataset, test, beta, binarize, seed + 17);
  // Importance sampling: examples in batches, samples in chunks, so memory stays ~ batch × chunk × pixels,
  // and batch × chunk images (each encoded and decoded) within the activation budget.
  const rows = Math.min(20000, roundTripBatchSize(vae.config));
  const chunk = Math.min(K, 200, rows);
  const batch = Math.max(1, Math.min(100, Math.floor(rows / chunk)));
  let nllSum = 0;
  for (let from = 0; from < test.length; from += batch) {
    const to = Math.min(test.length, from + batch);
    const pixels = gatherImages(dataset, test, from, to);
    const ll = tf.tidy(() => {
      let x = imagesToTensor(pixels, 0, to - from, vae.config);
      if (binarize) x = tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', seed + from), x), 'float32') as tf.Tensor4D;
      return vae.logLikelihood(x, K, chunk, seed + from);
    });
    const [values] = await takeValues([ll]);
    for (const v of values) nllSum -= v;
    out.progress({ done: to, total: test.length }, { done: to, total: test.length, label: `log-likelihood (K=${K})` });
  }
  const dims = imageDims(vae.config);
  const nllIs = nllSum / test.length;
  return {
    n: test.length,
    test_loss: elbo.loss,
    recon: elbo.recon,
    kl: elbo.kl,
    nll_is: nllIs,
    psnr_db: psnrDb,
    test_bpd: bitsPerDim(elbo.loss, dims, vae.config.likelihood),
    nll_is_bpd: bitsPerDim(nllIs, dims, vae.config.likelihood),
  };
}
