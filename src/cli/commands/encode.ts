/**
 * `latentscape encode --model DIR FILE… [--k N] [--json]`: each image file through the model, decoded
 * by the ingest's decoder with the preprocessing the model was trained with (engine/latent/encode-image.ts,
 * as the app encodes a dropped image): μ, σ, the reconstruction error and its nearest training images.
 * A file that cannot be encoded is reported with the reason and the others are still encoded (exit 1).
 */
import { readFile, stat } from 'node:fs/promises';
import { MAX_FILE_BYTES } from '../../engine/data/ingest/decode-core.mjs';
import { decodeImageFile, encodePixels, encodeSettings } from '../../engine/latent/encode-image';
import { nearestImages } from '../../engine/latent/nearest';
import { readPointCache } from '../../engine/latent/point-cache';
import { loadModel } from '../../engine/train/checkpoint';
import { backgroundOption, required, startBackend } from '../common';
import { UsageError, createOutput, intOption } from '../io';
import { datasetForModel, embedWithProgress, ingestBar } from '../model-data';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';
import { ENCODE_NEIGHBOURS } from '../../shared/limits';

interface Encoded {
  file: string;
  mu: number[];
  sigma: number[];
  recon_nats: number;
  rmse: number;
  nearest: { index: number; file: string | null; label: string | null; distance: number }[];
}

const vector = (v: ArrayLike<number>): string => `[${Array.from(v, (x) => x.toFixed(4)).join(', ')}]`;

function describeEncoded(e: Encoded): string {
  const lines = [
    e.file,
    `  μ = ${vector(e.mu)}`,
    `  σ = ${vector(e.sigma)}`,
    `  reconstruction error: ${e.recon_nats.toFixed(2)} nats, RMSE ${e.rmse.toFixed(2)} of 255`,
    '  nearest training images:',
    ...e.nearest.map((n, i) => `    ${i + 1}. ${n.file ?? `image #${n.index}`}${n.label ? ` (${n.label})` : ''}  distance ${n.distance.toFixed(4)}`),
  ];
  return lines.join('\n');
}

async function readImage(file: string): Promise<Uint8Array> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new Error('no such file');
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > MAX_FILE_BYTES) throw new Error(`file too large: ${Math.round(info.size / 2 ** 20)} MB (limit ${MAX_FILE_BYTES / 2 ** 20} MB)`);
  return readFile(file);
}

export async function run(argv: string[]): Promise<number | void> {
  const { values, positionals } = parseCommandArgs(COMMAND_SPECS.encode, argv);
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  if (positionals.length === 0) throw new UsageError('encode needs at least one image file: latentscape encode --model DIR FILE…');
  const k = intOption('k', values.k, ENCODE_NEIGHBOURS, 1, 100);
  const background = backgroundOption(values.background);
  const backend = await startBackend(values.backend, out);
  const { vae, manifest } = await loadModel(dir);
  try {
    const dataset = (await datasetForModel(manifest, values.data, background, ingestBar(out))).dataset;
    const d = vae.config.latentDim;
    // The means the app stored beside the model (`prepare`, or an opened view), when they match exactly.
    const cached = await readPointCache(dir, { weightsSha256: manifest.weights.sha256, fingerprint: dataset.fingerprint, count: dataset.count, latentDim: d });
    const mu = cached?.mu ?? (await embedWithProgress(vae, dataset, dataset.count, out));
    // --background stands in for the recorded one, as it does for the dataset above.
    const trainedOn =
      manifest.dataset && background ? { ...manifest.dataset, preprocessing: { ...manifest.dataset.preprocessing, background } } : manifest.dataset;
    const settings = encodeSettings(vae.config, trainedOn);
    const encoded: Encoded[] = [];
    const failed: { file: string; reason: string }[] = [];
    for (const file of positionals) {
      try {
        const pixels = await decodeImageFile(file, await readImage(file), settings);
        const e = await encodePixels(vae, pixels);
        const near = await nearestImages({ z: e.mu, k, space: 'latent', among: 'train' }, vae, dataset, mu);
        const item: Encoded = {
          file,
          mu: Array.from(e.mu),
          sigma: Array.from(e.sigma),
          recon_nats: e.reconNats,
          rmse: e.rmse,
          nearest: Array.from(near.ids, (index, i) => ({
            index,
            file: dataset.files?.[index] ?? null,
            label: dataset.labels[index] >= 0 ? (dataset.labelNames[dataset.labels[index]] ?? null) : null,
            distance: near.distances[i],
          })),
        };
        encoded.push(item);
      } catch (err) {
        const reason = (err as Error).message.replace(`"${file}" cannot be encoded: `, '');
        failed.push({ file, reason });
        out.info(`${file}: ${reason}`);
      }
    }
    const text = [...encoded.map(describeEncoded), ...failed.map((f) => `${f.file}: cannot be encoded: ${f.reason}`)].join('\n\n');
    out.final({ model: dir, latent: d, k, images: encoded, failed, backend: backend.name }, text);
    return failed.length > 0 ? 1 : undefined;
  } finally {
    vae.dispose();
  }
}
