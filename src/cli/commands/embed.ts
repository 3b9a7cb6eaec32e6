import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { limitDataset } from '../../engine/data/dataset';
import { project, projectionFor } from '../../engine/latent/projection';
import { loadModel } from '../../engine/train/checkpoint';
import { backgroundOption, required, startBackend } from '../common';
import { createOutput, intOption } from '../io';
import { datasetForModel, embedWithProgress, ingestBar } from '../model-data';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.embed, argv);
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  const file = required('out', values.out);
  const limit = values.limit === undefined ? undefined : intOption('limit', values.limit, 0, 1);
  // The model's own background unless --background says otherwise (datasetForModel).
  const background = backgroundOption(values.background);
  const backend = await startBackend(values.backend, out);
  const { vae, manifest } = await loadModel(dir);
  try {
    const dataset = limitDataset((await datasetForModel(manifest, values.data, background, ingestBar(out))).dataset, undefined);
    const count = limit ? Math.min(limit, dataset.count) : dataset.count;
    const started = performance.now();
    const d = vae.config.latentDim;
    const latents = await embedWithProgress(vae, dataset, count, out);
    const seconds = (performance.now() - started) / 1000;
    const projection = projectionFor(latents, count, d);
    const view = project(projection, latents, count);
    const tmp = `${file}.tmp-${process.pid}`;
    const stream = createWriteStream(tmp);
    const header = ['id', 'label', ...Array.from({ length: d }, (_, j) => `z${j}`), 'x', 'y', 'z'];
    stream.write(header.join(',') + '\n');
    for (let i = 0; i < count; i++) {
      const label = dataset.labels[i] >= 0 ? (dataset.labelNames[dataset.labels[i]] ?? String(dataset.labels[i])) : '';
      const zs = Array.from(latents.subarray(i * d, (i + 1) * d), (v) => v.toPrecision(6));
      const xyz = Array.from(view.subarray(i * 3, i * 3 + 3), (v) => v.toPrecision(6));
      if (!stream.write([i, csvField(label), ...zs, ...xyz].join(',') + '\n')) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
    await rename(tmp, file);
    out.final({ out: file, n: count, latent: d, projection: projection.kind, embed_images_per_s: count / seconds, backend: backend.name });
  } finally {
    vae.dispose();
  }
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
