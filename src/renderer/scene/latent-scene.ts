/**
 * The 3D view of the latent space, put together from its parts: the stage (renderer, camera,
 * controls, rendering on demand), the point cloud, the overlays (axes, prior shells, path) and the
 * pointer interaction (picking, clicks, cursor drag). This module decides only what ties them: a
 * new layout is shown, indexed for picking and framed by the camera.
 *
 * The markers (hovered, selected, cursor) are DOM overlays the page places with toScreen(), so
 * they move without re-rendering the cloud. No side effects at import; dispose() releases all.
 */
import { createInteraction, type PickStats, type SceneCallbacks } from './interaction';
import { createOverlays, clearTree, type PathOptions, type ShellMode } from './overlays';
import { createPointCloud } from './point-cloud';
import { extentOf, faceFlat, flyTo, isFlat, needsReframe } from './camera3d';
import { createStage } from './stage';
import { createMosaicLayer, type MosaicOptions, type MosaicStats } from './mosaic-layer';
import { createDecodedMapLayer, type MapTile } from './decoded-map-layer';
import { farDepth, nearDepth } from './map-plane';
import type { CameraState, Vec3 } from './types';
import { markStart } from '../lib/start-marks';

export type { CameraState, Vec3 } from './types';
export type { SceneCallbacks } from './interaction';
export type { MosaicOptions, MosaicStats } from './mosaic-layer';
export type { MapTile } from './decoded-map-layer';

export interface LayoutOptions {
  /** Glide from where the points are (same count only); default 700, 0 jumps. */
  animateMs?: number;
  /** Re-centre the camera: always on the first layout; 'auto' when its size or place changed a lot. */
  frame?: boolean | 'auto';
  /** The framed radius is at least this (e.g. the prior's 2σ shell). */
  minRadius?: number;
}

export interface LatentScene {
  /** Shows count × 3 positions. */
  setLayout(view: Float32Array, count: number, options?: LayoutOptions): void;
  /** The faint view axes (meaningless in a UMAP view). */
  setAxes(visible: boolean): void;
  /** count × 3 colours in 0…1. */
  setColors(rgb: Float32Array): void;
  /** Per point, non-zero hides it (and it cannot be picked); null shows all. */
  setHidden(mask: Uint8Array | null): void;
  /** Per point 0 normal, 1 dimmed, 2 highlighted (search matches, the selection); null: all normal. */
  setMarks(marks: Uint8Array | null): void;
  setPointScale(scale: number): void;
  setCursor(p: Vec3 | null): void;
  /** The prior N(0, I)'s 1σ and 2σ shells: spheres for d = 3, circles for d = 2. */
  setShells(mode: ShellMode): void;
  /** A polyline through view positions (n × 3), e.g. an interpolation path; null removes it. */
  setPath(points: Float32Array | null, options?: PathOptions): void;
  /** Line segments (2 × 3 numbers each) with a colour per end point, e.g. density contours; null removes them. */
  setContours(positions: Float32Array | null, colors?: Float32Array | null): void;
  resetView(animate?: boolean): void;
  /** Glides the camera to look at p from close by (the direction it looks from is kept). */
  flyTo(p: Vec3): void;
  getCamera(): CameraState;
  /** Jumps to a camera, or glides there over `ms`. */
  setCamera(camera: CameraState, ms?: number): void;
  pick(clientX: number, clientY: number): number | null;
  spotAt(clientX: number, clientY: number, through?: Vec3): Vec3 | null;
  toScreen(p: Vec3): { x: number; y: number } | null;
  /** The current (possibly mid-glide) position of a point. */
  positionOf(index: number): Vec3 | null;
  /** Called after every rendered frame and resize (DOM overlays follow the scene with toScreen). */
  onCameraChange(listener: () => void): () => void;
  readonly pointCount: number;
  readonly pickStats: PickStats;
  /** Points near the camera drawn as their thumbnails (null: dots only). */
  setMosaic(options: MosaicOptions | null): void;
  readonly mosaicStats: MosaicStats;
  /** The decoded map's tiles, behind the cloud (empty: none). */
  setMapTiles(tiles: readonly MapTile[]): void;
  /** `behind`: how far the nearest drawn tile lies past the points' far extent along its plane's viewing direction. */
  readonly mapStats: { tiles: number; level: number; behind: number };
  dispose(): void;
}

export function createScene(canvas: HTMLCanvasElement, callbacks: SceneCallbacks = {}): LatentScene {
  const stage = createStage(canvas);
  const cloud = createPointCloud(stage);
  const overlays = createOverlays(stage);
  const mosaic = createMosaicLayer(stage, cloud);
  const interaction = createInteraction(stage, cloud, callbacks, mosaic.footprint);
  const decodedMap = createDecodedMapLayer(stage);
  let radius = 2;
  let home: CameraState = { position: [3.2, 2.2, 4.6], target: [0, 0, 0] };
  let framed = false;
  /** The layout is flat (a 2D view): every camera faces it, and dragging pans. */
  let flat = false;
  const facing = (camera: CameraState): CameraState => (flat ? faceFlat(camera) : camera);
  let shown: { view: Float32Array; count: number } = { view: new Float32Array(0), count: 0 };
  let mapTiles: readonly MapTile[] = [];
  /** Worked out when the tiles or the layout change, not per frame: the stats are read on every frame. */
  let mapBehind = 0;
  // The start's last marks: the first frame drawn with points in it, and the next frame, by which the
  // points are on screen (what `latentscape bench` times; src/shared/start-marks.ts says why).
  const offFirstCloud = stage.onRendered(() => {
    if (cloud.count === 0) return;
    markStart('first-cloud');
    offFirstCloud();
    requestAnimationFrame(() => markStart('cloud-shown'));
  });
  function measureMap(): void {
    const normal = mapTiles[0]?.plane.normal;
    mapBehind = normal && shown.count ? nearDepth(normal, decodedMap.corners()) - farDepth(normal, shown.view, shown.count) : 0;
  }

  return {
    setLayout(view, n, options = {}) {
      cloud.setPositions(view, n, options.animateMs ?? 700);
      shown = { view, count: n };
      measureMap();
      interaction.reindex();
      const positions = view.subarray(0, n * 3);
      const extent = extentOf(positions, n, options.minRadius ?? 0);
      flat = n > 0 && isFlat(positions, n);
      stage.setFlat(flat);
      // 'auto' re-frames only when the cloud grew, shrank or moved a lot (a model forming as it trains).
      if (needsReframe(extent, home, radius, options.frame ?? false, framed) && n > 0) {
        framed = true;
        radius = extent.r;
        home = stage.framing(extent, flat);
        overlays.setAxesRadius(radius);
        stage.setCamera(home, cloud.glideMs);
      }
      stage.requestRender();
    },
    setAxes: (visible) => overlays.setAxes(visible),
    setColors: (rgb) => cloud.setColors(rgb),
    setHidden: (mask) => cloud.setHidden(mask),
    setMarks: (marks) => cloud.setMarks(marks),
    setPointScale: (scale) => cloud.setScale(scale),
    setCursor: (p) => interaction.setCursor(p),
    setShells: (mode) => overlays.setShells(mode),
    setPath: (points, options) => overlays.setPath(points, options),
    setContours: (positions, colors) => overlays.setContours(positions, colors ?? null),
    resetView(animate = true) {
      stage.setCamera(home, animate ? 450 : 0);
    },
    flyTo(p) {
      stage.setCamera(flyTo(stage.getCamera(), p, radius), 600);
    },
    getCamera: () => stage.getCamera(),
    setCamera: (camera, ms) => stage.setCamera(facing(camera), ms),
    pick: (x, y) => interaction.pick(x, y),
    spotAt: (x, y, through) => interaction.spotAt(x, y, through),
    toScreen: (p) => stage.toScreen(p),
    positionOf: (i) => cloud.positionOf(i),
    onCameraChange: (listener) => stage.onCameraChange(listener),
    get pointCount() {
      return cloud.count;
    },
    pickStats: interaction.pickStats,
    setMosaic: (options) => mosaic.set(options),
    mosaicStats: mosaic.stats,
    setMapTiles(tiles) {
      mapTiles = tiles;
      decodedMap.setTiles(tiles);
      measureMap();
    },
    get mapStats() {
      return { ...decodedMap.stats, behind: mapBehind };
    },
    dispose() {
      mosaic.dispose();
      decodedMap.dispose();
      interaction.dispose();
      overlays.dispose();
      cloud.dispose();
      // Anything other modules added to the scene goes with it.
      clearTree(stage.scene);
      stage.dispose();
    },
  };
}
