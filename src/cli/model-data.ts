/** Loading the dataset a model was trained on (or another one given with --data), checked against it. */
import type { ModelManifest } from '../engine/train/checkpoint';
import { loadDataset, type LoadedDataset } from '../engine/data/load';
import { recordedBackground } from '../shared/background';

/**
 * `background`: --background when given, else what the model recorded (a model trained on white sees
 * white; one from before the setting, black, as it was trained).
 */
export async function datasetForModel(manifest: ModelManifest, explicit: string | undefined, background?: string): Promise<LoadedDataset> {
  const source = manifest.dataset?.source;
  const spec = explicit ?? (source?.kind === 'folder' ? source.path : 'mnist');
  const pre = manifest.dataset?.preprocessing ?? {};
  const c = manifest.config;
  const loaded = await loadDataset(spec, {
    size: c.height,
    color: c.channels === 3 ? 'rgb' : 'gray',
    fit: (pre.fit as 'cover' | 'contain' | undefined) ?? 'cover',
    background: background ?? recordedBackground(pre.background) ?? undefined,
  });
  const d = loaded.dataset;
  if (d.height !== c.height || d.width !== c.width || d.channels !== c.channels) {
    throw new Error(`the model takes ${c.height}×${c.width}×${c.channels} images but "${spec}" gives ${d.height}×${d.width}×${d.channels}`);
  }
  return loaded;
}
