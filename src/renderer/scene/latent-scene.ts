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
import { createStage } from './stage';
import type { CameraState, Extent, Vec3 } from './types';

export type { CameraState, Vec3 } from './types';
export type { SceneCallbacks } from './interaction';

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
  dispose(): void;
}

/** The centre (per-axis median, so a few far-off points do not pull it) and the radius holding 99.5 %. */
export function extentOf(view: Float32Array, n: number, minRadius: number): Extent {
  const step = Math.max(1, Math.floor(n / 20000));
  const c = [0, 1, 2].map((a) => {
    const values: number[] = [];
    for (let i = 0; i < n; i += step) values.push(view[i * 3 + a]);
    values.sort((x, y) => x - y);
    return values.length ? values[Math.floor(values.length / 2)] : 0;
  }) as Vec3;
  const dist: number[] = [];
  for (let i = 0; i < n; i += step) dist.push(Math.hypot(view[i * 3] - c[0], view[i * 3 + 1] - c[1], view[i * 3 + 2] - c[2]));
  dist.sort((a, b) => a - b);
  return { c, r: Math.max(dist[Math.floor(dist.length * 0.995)] ?? 1, minRadius, 1e-3) };
}

function isFlat(view: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 1000))) if (Math.abs(view[i * 3 + 2]) > 1e-9) return false;
  return true;
}

export function createScene(canvas: HTMLCanvasElement, callbacks: SceneCallbacks = {}): LatentScene {
  const stage = createStage(canvas);
  const cloud = createPointCloud(stage);
  const overlays = createOverlays(stage);
  const interaction = createInteraction(stage, cloud, callbacks);
  let radius = 2;
  let home: CameraState = { position: [3.2, 2.2, 4.6], target: [0, 0, 0] };
  let framed = false;

  return {
    setLayout(view, n, options = {}) {
      cloud.setPositions(view, n, options.animateMs ?? 700);
      interaction.reindex();
      const positions = view.subarray(0, n * 3);
      const extent = extentOf(positions, n, options.minRadius ?? 0);
      // 'auto' re-frames only when the cloud grew, shrank or moved a lot (a model forming as it trains).
      const moved = Math.hypot(extent.c[0] - home.target[0], extent.c[1] - home.target[1], extent.c[2] - home.target[2]);
      const reframe =
        options.frame === true || !framed || (options.frame === 'auto' && (extent.r > radius * 1.6 || extent.r < radius * 0.45 || moved > radius * 0.5));
      if (reframe && n > 0) {
        framed = true;
        radius = extent.r;
        home = stage.framing(extent, isFlat(positions, n));
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
    resetView(animate = true) {
      stage.setCamera(home, animate ? 450 : 0);
    },
    flyTo(p) {
      const { position, target } = stage.getCamera();
      const offset = [0, 1, 2].map((a) => position[a] - target[a]);
      const length = Math.hypot(...offset) || 1;
      const distance = Math.min(length, radius * 0.6);
      const to = offset.map((v, a) => p[a] + (v / length) * distance) as Vec3;
      stage.setCamera({ position: to, target: [p[0], p[1], p[2]] }, 600);
    },
    getCamera: () => stage.getCamera(),
    setCamera: (camera, ms) => stage.setCamera(camera, ms),
    pick: (x, y) => interaction.pick(x, y),
    spotAt: (x, y, through) => interaction.spotAt(x, y, through),
    toScreen: (p) => stage.toScreen(p),
    positionOf: (i) => cloud.positionOf(i),
    onCameraChange: (listener) => stage.onCameraChange(listener),
    get pointCount() {
      return cloud.count;
    },
    pickStats: interaction.pickStats,
    dispose() {
      interaction.dispose();
      overlays.dispose();
      cloud.dispose();
      // Anything other modules added to the scene goes with it.
      clearTree(stage.scene);
      stage.dispose();
    },
  };
}
