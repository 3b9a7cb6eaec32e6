/**
 * The maps between a view of the latent space and the space itself:
 *  - identity / PCA: p = Vᵀ(z − m) exactly; a spot's latent is z = m + V·p, or, when the model has a
 *    fitted latent density, E[z | Vᵀ(z − m) = p] under it: the unseen dimensions of a click take the
 *    values the data has there instead of the mean's, so the decoder sees a latent like those it was
 *    trained on (a flat view fixes only its two axes);
 *  - UMAP: approximate — a spot's latent is the distance-weighted mean of the μ of its nearest
 *    points in the view, a latent's spot the weighted mean of the view of its nearest μ. With a fitted
 *    density the blend is then moved to E[z | blend] (shared/density-posterior.ts), its noise the
 *    neighbours' spread: a blend of far-apart means lies between them, off the data.
 * Pure functions of the layout (tested in Node); the caller keeps the view's PointIndex.
 */
import type { Projection } from '../../shared/contract';
import { DensityView, type LatentDensity } from '../../shared/latent-density';
import { densityPosteriorMean } from '../../shared/density-posterior';
import { PointIndex, insertNearest } from '../../shared/point-index';
import { project, unproject } from '../../shared/projection';
import type { Vec3 } from '../scene/types';

/** The parts of a layout the maps read. */
export interface MappedLayout {
  kind: string;
  count: number;
  latentDim: number;
  /** count × 3. */
  view: Float32Array;
  /** count × latentDim. */
  mu: Float32Array;
}

const NEIGHBOURS = 8;

export class ViewInverse {
  private index: PointIndex | null = null;
  /** The density seen through the linear view (null: UMAP, or no density). */
  readonly densityView: DensityView | null;
  /** The density UMAP's blends are pulled towards (null: a linear view, or no density). */
  private readonly blendDensity: LatentDensity | null;

  constructor(
    private readonly layout: MappedLayout,
    /** The layout's linear projection (null for UMAP). */
    private readonly linear: Projection | null,
    /** The model's fitted latent density, when it has one. */
    density: LatentDensity | null = null,
    /** 2: a flat view (its third coordinate is always 0). */
    private readonly viewDims: 2 | 3 = 3,
  ) {
    const fits = density !== null && density.dim === layout.latentDim;
    this.densityView = this.exact && fits ? new DensityView(density, linear!, viewDims) : null;
    this.blendDensity = !this.exact && fits ? density : null;
  }

  private get exact(): boolean {
    return this.linear !== null && this.layout.kind !== 'umap';
  }

  /** The latent vector of a view position. */
  viewToLatent(p: Vec3): Float32Array {
    const l = this.layout;
    if (this.densityView) return this.densityView.conditionalMean(p);
    if (this.exact) return unproject(this.linear!, this.viewDims === 2 ? [p[0], p[1], 0] : p);
    this.index ??= new PointIndex(l.view, l.count);
    const { ids, distances } = this.index.nearest(p, NEIGHBOURS);
    const d = l.latentDim;
    const z = new Float32Array(d);
    if (ids.length === 0) return z;
    if (distances[0] < 1e-7) return l.mu.slice(ids[0] * d, ids[0] * d + d);
    let total = 0;
    for (let k = 0; k < ids.length; k++) {
      const w = 1 / (distances[k] + 1e-6);
      total += w;
      for (let j = 0; j < d; j++) z[j] += w * l.mu[ids[k] * d + j];
    }
    for (let j = 0; j < d; j++) z[j] /= total;
    if (!this.blendDensity) return z;
    // The blend's uncertainty: the neighbours' weighted mean squared distance to it, per dimension.
    let spread = 0;
    for (let k = 0; k < ids.length; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (l.mu[ids[k] * d + j] - z[j]) ** 2;
      spread += s / (distances[k] + 1e-6);
    }
    return densityPosteriorMean(this.blendDensity, z, spread / (total * d));
  }

  /** The view position of a latent vector, or null when it has the wrong size. */
  latentToView(z: ArrayLike<number>): Vec3 | null {
    const l = this.layout;
    if (z.length !== l.latentDim) return null;
    if (this.exact) {
      const v = project(this.linear!, z, 1);
      return [v[0], v[1], this.viewDims === 2 ? 0 : v[2]];
    }
    const d = l.latentDim;
    const k = Math.min(NEIGHBOURS, l.count);
    const best = new Float64Array(k).fill(Infinity);
    const bestI = new Int32Array(k);
    for (let i = 0; i < l.count; i++) {
      let s = 0;
      for (let j = 0; j < d && s < best[k - 1]; j++) {
        const t = l.mu[i * d + j] - z[j];
        s += t * t;
      }
      if (s >= best[k - 1]) continue;
      insertNearest(best, bestI, s, i);
    }
    const out: Vec3 = [0, 0, 0];
    let total = 0;
    for (let n = 0; n < k; n++) {
      const w = 1 / (Math.sqrt(best[n]) + 1e-6);
      total += w;
      for (let a = 0; a < 3; a++) out[a] += w * l.view[bestI[n] * 3 + a];
    }
    return out.map((v) => v / total) as Vec3;
  }

  /** Latents (n × d) as view positions (n × 3), or null when they cannot be placed. */
  latentsToView(latents: Float32Array): Float32Array | null {
    const d = this.layout.latentDim;
    if (!d || latents.length % d !== 0) return null;
    const n = latents.length / d;
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const v = this.latentToView(latents.subarray(i * d, (i + 1) * d));
      if (!v) return null;
      out.set(v, i * 3);
    }
    return out;
  }
}
