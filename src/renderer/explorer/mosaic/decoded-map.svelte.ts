/**
 * The decoded map's state: which tiles the view shows, and their images, decoded through the
 * service's batched `decode` (a tile is MAP_GRID² latents: the inverse of the current layout at its
 * cell centres on the map's plane, z = 0 in the flat view and a backdrop behind the cloud facing the
 * home camera in 3D; scene/map-plane.ts). The plane and the tile grid on it are laid once per layout,
 * so the map stays put, like a wall, as the camera orbits. Coarse tiles are asked for first, finer ones as the user zooms; every tile
 * is cached per model and layout (a linear view's tiles outlive a switch to UMAP and back), and a
 * tile decoded for a layout that has since gone is dropped, never shown.
 */
import type { Session } from '../../shell/session';
import type { Layout } from '../layout';
import type { MapTile } from '../../scene/decoded-map-layer';
import type { CameraState, Vec3 } from '../../scene/types';
import { HOME_TILT_3D, extentOf, framingOf, isFlat } from '../../scene/camera3d';
import { FLAT_PLANE, backdropPlane, cameraOnPlane, meanDepth, planePoint, sightAtDepth, silhouetteOnPlane, type MapPlane } from '../../scene/map-plane';
import { MAP_GRID, composeTile, mapSquare, tileKey, tileSpots, tilesForView, type MapSquare, type TileRect } from './map-tiles';

/** Tiles in one decode call (8 × 16 = 128 latents). */
const TILES_PER_DECODE = 8;
/** Tiles kept in memory, least recently shown dropped first (a 28 px gray tile is 12 KB). */
const CACHE_TILES = 400;

/** What the map reads of the view. */
export interface MapSource {
  layout(): Layout | null;
  decodable(): boolean;
  /** Which model the points are of (its folder and epoch). */
  modelKey(): string;
  /** The flat view (2) or a 3D one. */
  dims(): 2 | 3;
  viewToLatent(p: Vec3): Float32Array | null;
}

/** What the map reads of the camera: where it is, and the viewport it draws (CSS pixels). */
export interface MapView {
  camera: CameraState;
  widthPx: number;
  heightPx: number;
  fovDeg: number;
}

/** Where a layout's map lies: its plane, and the square on that plane the tiles cut up. */
interface MapLaying {
  prefix: string;
  plane: MapPlane;
  square: MapSquare;
  /** 3D: tiles decode where the home camera's line of sight through them meets the cloud's mean depth. */
  sight: { eye: Vec3; depth: number } | null;
}

export class DecodedMapState {
  enabled = $state(false);
  /** The tiles on show, coarse first. */
  tiles = $state.raw<MapTile[]>([]);
  /** Tiles still to decode for the current view. */
  pending = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private cache; what is shown is `tiles`
  private readonly cache = new Map<string, MapTile>();
  private queue: { key: string; laying: MapLaying; tile: TileRect }[] = [];
  private running = false;
  private lastView: MapView | null = null;
  private laying: MapLaying | null = null;
  private failed = false;

  constructor(
    private readonly app: Pick<Session, 'api' | 'notify'>,
    private readonly source: MapSource,
  ) {}

  toggle(): void {
    this.enabled = !this.enabled;
    this.failed = false;
    if (this.enabled && this.lastView) this.viewChanged(this.lastView);
    else this.clearShown();
  }

  /** Another dataset: nothing cached belongs to it. */
  reset(): void {
    this.cache.clear();
    this.clearShown();
  }

  private clearShown(): void {
    this.queue = [];
    this.pending = 0;
    if (this.tiles.length) this.tiles = [];
  }

  /** The cache's key for the current layout: a linear view's layout is fixed by the model, UMAP's by its run. */
  private prefix(l: Layout): string {
    return `${this.source.modelKey()}|${l.kind}|${this.source.dims()}${l.kind === 'umap' ? `|${l.version}` : ''}`;
  }

  /**
   * A layout's plane (the flat view's own, or the backdrop facing the 3D view's home camera) and the
   * square on it: in 3D around the cloud's silhouette seen from the home camera, so the backdrop fills
   * the space behind the whole cloud.
   */
  private layOut(l: Layout, prefix: string, fovDeg: number): MapLaying {
    const backdrop = this.source.dims() === 3 && !isFlat(l.view, l.count);
    if (!backdrop) return { prefix, plane: FLAT_PLANE, square: mapSquare(l.view, l.count), sight: null };
    const plane = backdropPlane(l.view, l.count, HOME_TILT_3D);
    // The home camera as the scene frames it (a square viewport: a wide one puts it no nearer).
    const eye = framingOf(extentOf(l.view, l.count, 0), false, fovDeg, 1).position;
    const sight = { eye, depth: meanDepth(plane.normal, l.view, l.count) };
    return { prefix, plane, square: mapSquare(silhouetteOnPlane(plane, eye, l.view, l.count), l.count), sight };
  }

  /** The camera moved (or the view was resized): show what is cached, queue what is missing, coarse first. */
  viewChanged(view: MapView): void {
    this.lastView = view;
    if (!this.enabled) return;
    const l = this.source.layout();
    if (!l || l.source !== 'embeddings' || !this.source.decodable()) return this.clearShown();
    const prefix = this.prefix(l);
    if (this.laying?.prefix !== prefix) this.laying = this.layOut(l, prefix, view.fovDeg);
    const laying = this.laying;
    const onPlane = { ...cameraOnPlane(laying.plane, view.camera), widthPx: view.widthPx, heightPx: view.heightPx, fovDeg: view.fovDeg };
    const wanted = tilesForView(laying.square, onPlane).map((tile) => ({ key: tileKey(prefix, tile), laying, tile }));
    const shown: MapTile[] = [];
    for (const w of wanted) {
      const t = this.cache.get(w.key);
      if (!t) continue;
      // Most recently shown last.
      this.cache.delete(w.key);
      this.cache.set(w.key, t);
      shown.push(t);
    }
    if (shown.length !== this.tiles.length || shown.some((t, i) => t !== this.tiles[i])) this.tiles = shown;
    this.queue = wanted.filter((w) => !this.cache.has(w.key));
    this.pending = this.queue.length;
    if (!this.failed) void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && this.enabled) {
        const l = this.source.layout();
        if (!l) break;
        const prefix = this.prefix(l);
        const batch = this.queue.splice(0, TILES_PER_DECODE).filter((w) => w.laying.prefix === prefix);
        if (!batch.length) continue;
        const d = l.latentDim;
        const per = MAP_GRID * MAP_GRID;
        const z = new Float32Array(batch.length * per * d);
        for (let b = 0; b < batch.length; b++) {
          const { plane, sight } = batch[b].laying;
          tileSpots(batch[b].tile).forEach(([a, c], k) => {
            const spot = planePoint(plane, a, c);
            const latent = this.source.viewToLatent(sight ? sightAtDepth(plane, sight.eye, spot, sight.depth) : spot);
            if (latent) z.set(latent, (b * per + k) * d);
          });
        }
        const images = await this.app.api.call('decode', { z });
        // The view may have moved to other points while the engine decoded: those tiles are not theirs.
        const now = this.source.layout();
        if (!now || this.prefix(now) !== prefix) continue;
        batch.forEach((w, b) => {
          const { x0, y0, x1, y1, level } = w.tile;
          this.cache.set(w.key, { key: w.key, level, x0, y0, x1, y1, plane: w.laying.plane, image: composeTile(images, b * per) });
        });
        while (this.cache.size > CACHE_TILES) this.cache.delete(this.cache.keys().next().value as string);
        if (this.lastView) this.viewChanged(this.lastView);
      }
    } catch (err) {
      // Shown once; the map tries again when it is turned on again.
      this.failed = true;
      this.app.notify('error', `the decoded map could not decode its tiles: ${(err as Error).message}`);
    } finally {
      this.running = false;
      this.pending = this.queue.length;
    }
  }
}
