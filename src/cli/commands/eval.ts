import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { limitDataset, gatherImages } from '../../engine/data/dataset';
import { imagesToTensor } from '../../engine/model/vae';
import { roundTripBatchSize } from '../../engine/model/decode-batches';
import { loadModel } from '../../engine/train/checkpoint';
import { evaluateHeldOut } from '../../engine/train/trainer';
import { COMMON_OPTIONS, required, startBackend } from '../common';
import { createOutput, intOption } from '../io';
import { datasetForModel } from '../model-data';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      model: { type: 'string' },
      data: { type: 'string' },
      k: { type: 'string' },
      limit: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  const K = intOption('k', values.k, 1000, 1, 100000);
  const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 0, 1);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const backend = await startBackend(values.backend, out);
  const { vae, manifest } = await loadModel(dir);
  try {
    const dataset = limitDataset((await datasetForModel(manifest, values.data)).dataset, limit);
    const test = dataset.split.test;
    const beta = manifest.training?.beta ?? 1;
    const binarize = manifest.training?.binarize ?? false;
    const { psnr: psnrDb, ...elbo } = evaluateHeldOut(vae, dataset, test, beta, binarize, seed + 17);
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
      const values = ll.dataSync();
      for (const v of values) nllSum -= v;
      ll.dispose();
      out.progress({ done: to, total: test.length }, { done: to, total: test.length, label: `log-likelihood (K=${K})` });
    }
    out.final({
      n: test.length,
      test_loss: elbo.loss,
      recon: elbo.recon,
      kl: elbo.kl,
      nll_is: nllSum / test.length,
      psnr_db: psnrDb,
      k: K,
      backend: backend.name,
    });
  } finally {
    vae.dispose();
  }
}
