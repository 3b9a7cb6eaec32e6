/** A model folder's facts for the library, from its manifest (the strict parser); with `verify`, its weight files are checked too. */
import type { EngineModelInspection } from '../shared/engine-protocol';
import { recordedBackground } from '../shared/background';
import { COLOR_MODES, FIT_MODES } from '../shared/vocabulary';
import { modelInfo } from './model-info';
import { readManifest, verifyModelFiles } from './train/checkpoint';

export async function inspectModel(dir: string, verify = false): Promise<EngineModelInspection> {
  const m = await readManifest(dir);
  if (verify) await verifyModelFiles(dir, m);
  const pre = m.dataset?.preprocessing ?? {};
  const size = typeof pre.size === 'number' && Number.isInteger(pre.size) && pre.size >= 8 && pre.size <= 512 ? pre.size : null;
  const color = (COLOR_MODES as readonly unknown[]).includes(pre.color) ? (pre.color as (typeof COLOR_MODES)[number]) : null;
  const fit = (FIT_MODES as readonly unknown[]).includes(pre.fit) ? (pre.fit as (typeof FIT_MODES)[number]) : null;
  // A folder model from before the background was a setting has none recorded: recordedBackground says black.
  const background = recordedBackground(pre.background);
  const source = m.dataset?.source ?? null;
  return {
    info: modelInfo(dir, m),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    dataset: source
      ? { kind: source.kind, path: source.kind === 'folder' ? source.path : null, size, color, fit, background: source.kind === 'folder' ? background : null }
      : null,
  };
}
