/** Loading the dataset a model was trained on (or another one given with --data), checked against it. */
import type { ModelManifest } from '../engine/train/checkpoint';
import { loadDataset, type LoadedDataset } from '../engine/data/load';
import { recordedBackground } from '../shared/background';
import { imageBytes, type Dataset } from '../engine/data/dataset';
import type { Vae } from '../engine/model/vae';
import { yieldToEventLoop } from '../node/event-loop';
import type { CliOutput } from './io';

/** Images encoded between two redraws of the bar. */
const EMBED_SLICE = 1000;

/**
 * `background`: --background when given, else what the model recorded (a model trained on white sees
 * white; one from before the setting, black, as it was trained).
 */
export async function datasetForModel(
  manifest: ModelManifest,
  explicit: string | undefined,
  background?: string,
  onProgress?: (p: { done: number; total: number }) => void,
): Promise<LoadedDataset> {
  const source = manifest.dataset?.source;
  const spec = explicit ?? (source?.kind === 'folder' ? source.path : 'mnist');
  const pre = manifest.dataset?.preprocessing ?? {};
  const c = manifest.config;
  const loaded = await loadDataset(spec, {
    size: c.height,
    color: c.channels === 3 ? 'rgb' : 'gray',
    fit: (pre.fit as 'cover' | 'contain' | undefined) ?? 'cover',
    background: background ?? recordedBackground(pre.background) ?? undefined,
    ...(onProgress ? { onProgress } : {}),
  });
  const d = loaded.dataset;
  if (d.height !== c.height || d.width !== c.width || d.channels !== c.channels) {
    throw new Error(`the model takes ${c.height}×${c.width}×${c.channels} images but "${spec}" gives ${d.height}×${d.width}×${d.channels}`);
  }
  return loaded;
}

/** A progress callback that draws `label`'s bar (on a terminal) for a dataset being ingested. */
export function ingestBar(out: CliOutput, label = 'ingest'): (p: { done: number; total: number }) => void {
  return (p) => {
    if (!out.json) out.progress({ stage: label, ...p }, { done: p.done, total: p.total, label });
  };
}

/** vae.embed in slices, a bar after each: the μ of the first `count` images. */
export async function embedWithProgress(vae: Vae, dataset: Dataset, count: number, out: CliOutput): Promise<Float32Array> {
  const d = vae.config.latentDim;
  const bytes = imageBytes(dataset);
  const mu = new Float32Array(count * d);
  for (let start = 0; start < count; start += EMBED_SLICE) {
    const n = Math.min(EMBED_SLICE, count - start);
    mu.set(await vae.embed(dataset.pixels.subarray(start * bytes, (start + n) * bytes), n), start * d);
    if (!out.json) out.progress({ stage: 'embed', done: start + n, total: count }, { done: start + n, total: count, label: 'embed' });
    await yieldToEventLoop();
  }
  return mu;
}
