/**
 * What "the current selection" of the 3D view gives the animation panels: the explorer's decoded
 * point — a clicked data point (its μ, with the image's number and label) or a spot of the space.
 */
import type { Session } from '../shell/session';
import type { LatentViewState } from './latent-view.svelte';

export interface LatentPick {
  z: Float32Array;
  source: { index?: number; label?: string } | null;
  /** How the panels name it. */
  what: string;
}

export function currentPick(view: LatentViewState, app: Pick<Session, 'model' | 'embeddings' | 'dataset'>): LatentPick | null {
  const d = view.decoder.decoded;
  const latentDim = app.model?.latentDim ?? 0;
  if (!d || d.z.length !== latentDim) return null;
  if (d.index !== null) {
    const names = app.embeddings?.labelNames ?? app.dataset?.labelNames ?? [];
    const label = d.label !== null && d.label >= 0 ? (names[d.label] ?? String(d.label)) : undefined;
    return { z: Float32Array.from(d.z), source: label === undefined ? { index: d.index } : { index: d.index, label }, what: `image #${d.index}` };
  }
  return { z: Float32Array.from(d.z), source: null, what: 'the decoded spot' };
}
