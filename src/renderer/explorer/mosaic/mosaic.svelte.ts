/**
 * Images as points: the mosaic (points near the camera drawn as their thumbnails, a size slider)
 * and the decoded map behind the cloud (decoded-map.svelte.ts). The scene draws both; this decides
 * when they apply: the mosaic only on the dataset's own points (a training snapshot is a sample, whose
 * indices are not the atlases'), the map only where the view can be decoded.
 */
import type { Atlas } from '../../../shared/contract';
import type { MosaicOptions } from '../../scene/latent-scene';
import type { Session } from '../../shell/session';
import type { Layout } from '../layout';
import { DecodedMapState, type MapSource } from './decoded-map.svelte';

export const MOSAIC_SIZE_MIN = 0.25;
export const MOSAIC_SIZE_MAX = 4;

export class MosaicState {
  enabled = $state(false);
  /** The thumbnails' size relative to the default (1). */
  size = $state(1);
  readonly decodedMap: DecodedMapState;
  /** A new loader per dataset: the scene drops the textures of the last one. */
  private loadPage = $state.raw<(page: number) => Promise<Atlas>>(() => Promise.reject(new Error('no dataset')));

  constructor(
    private readonly app: Pick<Session, 'api' | 'notify'>,
    source: MapSource,
  ) {
    this.decodedMap = new DecodedMapState(app, source);
    this.reset();
  }

  /** Another dataset was opened. */
  reset(): void {
    this.loadPage = (page) => this.app.api.call('atlas', { page });
    this.decodedMap.reset();
  }

  setSize(size: number): void {
    this.size = Math.min(MOSAIC_SIZE_MAX, Math.max(MOSAIC_SIZE_MIN, size));
  }

  /** What the scene draws for `layout`: null (dots only) when the mosaic is off or the points are not the dataset's in order. */
  sceneOptions(layout: Layout | null): MosaicOptions | null {
    if (!this.enabled || !layout || layout.source !== 'embeddings' || layout.count === 0) return null;
    const last = layout.count - 1;
    if (layout.ids[0] !== 0 || layout.ids[last] !== last) return null;
    return { size: this.size, loadPage: this.loadPage };
  }
}
