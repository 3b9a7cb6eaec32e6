/** What the 3D view shows (a layout of the points) and the decoded image on show. */
import type { Images, ProjectionKind } from '../../shared/contract';
import type { Vec3 } from '../scene/types';

/** How the points are coloured (not the dataset's gray/rgb ColorMode of shared/vocabulary.ts). */
export type PointColoring = 'label' | 'recon' | 'kl' | 'cluster';

/** What the 3D view shows. */
export interface Layout {
  source: 'embeddings' | 'snapshot';
  kind: ProjectionKind;
  count: number;
  latentDim: number;
  /** count × 3. */
  view: Float32Array;
  /** count × latentDim (μ of each point). */
  mu: Float32Array;
  /** Dataset index of each point. */
  ids: Int32Array;
  labels: Int32Array;
  labelNames: string[];
  /** Increments with every new layout. */
  version: number;
  /** How the scene should move to it. */
  animateMs: number;
  frame: boolean | 'auto';
}

/** The image on show and the latent it is the decoding of. */
export interface Decoded {
  seq: number;
  z: Float32Array;
  /** Where it sits in the current view (null when it cannot be placed). */
  view: Vec3 | null;
  image: Images;
  /** 'random': a random spot, drawn from the model's fitted density (N(0, I) without one). */
  source: 'point' | 'space' | 'typed' | 'external' | 'random';
  /** The dataset image, for a clicked point. */
  index: number | null;
  label: number | null;
  original: Images | null;
}

/** The layout index of a dataset index (they coincide for the full embeddings; a snapshot is a sample). */
export function indexInLayout(l: Layout, datasetIndex: number): number | null {
  if (l.ids[datasetIndex] === datasetIndex) return datasetIndex;
  const i = l.ids.indexOf(datasetIndex);
  return i < 0 ? null : i;
}

/** Which labels stay hidden when `label` is shown alone — or none, when it already is. */
export function soloHidden(hidden: readonly number[], label: number, labelCount: number): number[] {
  const others = Array.from({ length: labelCount }, (_, i) => i).filter((i) => i !== label);
  const alreadySolo = others.every((i) => hidden.includes(i)) && !hidden.includes(label);
  return alreadySolo ? [] : others;
}
