/**
 * Pointer interaction with the scene: picking (through a PointIndex built once per layout, so a
 * pick costs what the pointer's neighbourhood holds, not what the cloud holds), hover, clicks on a
 * point or on empty space, dragging the 3D cursor on the plane through it facing the camera, and
 * the selection gestures: Shift + drag draws a lasso, Shift + click toggles one point.
 *
 * Its pointer handlers are registered before OrbitControls sees the press (capture phase), so a
 * drag on the cursor can switch the controls off first.
 */
import { Vector3 } from 'three';
import { PointIndex } from '../../shared/point-index';
import { spotAt as spotOnPlane } from './camera3d';
import { onThumbnail, type ThumbnailFootprint } from './mosaic-pack';
import { pointsInPolygon, type ScreenPoint } from './lasso';
import type { PointCloud } from './point-cloud';
import type { Stage } from './stage';
import type { Vec3 } from './types';

export interface SceneCallbacks {
  /** The point under the pointer changed (null: none), with the pointer's client position. */
  onHover?(index: number | null, clientX: number, clientY: number): void;
  /** A click on a point. */
  onPointClick?(index: number): void;
  /** A click on empty space: the spot on the plane through the orbit target, facing the camera. */
  onSpaceClick?(p: Vec3): void;
  /** The 3D cursor is dragged (on the plane through it, facing the camera). */
  onCursorDrag?(p: Vec3, phase: 'start' | 'move' | 'end'): void;
  /** Shift + click on a point. */
  onPointToggle?(index: number): void;
  /** The lasso being drawn (client pixels); at 'end', the points inside it (empty on 'move'). */
  onLasso?(polygon: readonly ScreenPoint[], phase: 'move' | 'end', inside: Int32Array): void;
}

export interface PickStats {
  lastMs: number;
  count: number;
  totalMs: number;
}

export interface Interaction {
  /** The cloud's positions changed: the picking index is rebuilt (when the page is idle, or at the next pick). */
  reindex(): void;
  setCursor(p: Vec3 | null): void;
  /** The point under a client position, or null. */
  pick(clientX: number, clientY: number): number | null;
  /** The spot under a client position on the plane through `through` (default: the orbit target) facing the camera. */
  spotAt(clientX: number, clientY: number, through?: Vec3): Vec3 | null;
  readonly pickStats: PickStats;
  dispose(): void;
}

/** A press that moved less than this (px) and lasted less than CLICK_MS is a click, not a drag. */
const CLICK_PX = 5;
const CLICK_MS = 800;
const CURSOR_GRAB_PX = 16;

export function createInteraction(stage: Stage, cloud: PointCloud, callbacks: SceneCallbacks, thumbnails?: ThumbnailFootprint): Interaction {
  const { canvas, camera, controls } = stage;
  /** The picking index of the current positions: null until the page is idle after a layout, or a pick needs it. */
  let index: PointIndex | null = null;
  let idleBuild: (() => void) | null = null;
  let cursorAt: Vec3 | null = null;
  let downAt: { x: number; y: number; t: number; button: number } | null = null;
  let draggingCursor = false;
  /** Where the current drag of the cursor last reported it (the cursor itself is the page's). */
  let dragSpot: Vec3 | null = null;
  let lasso: ScreenPoint[] | null = null;
  let hoverFrame = 0;
  let hoverEvent: { x: number; y: number } | null = null;
  const pickStats: PickStats = { lastMs: 0, count: 0, totalMs: 0 };

  const indexed = (): PointIndex => (index ??= new PointIndex(cloud.positions, cloud.count));

  function pick(clientX: number, clientY: number): number | null {
    if (cloud.count === 0) return null;
    const grid = indexed();
    const started = performance.now();
    const ray = stage.rayAt(clientX, clientY).ray;
    const height = canvas.getBoundingClientRect().height;
    // The pick radius in pixels (the sprite's half size, at least 4 px) as a cone around the ray.
    const radiusPx = Math.max(4, cloud.spritePx / 2 + 1.5);
    const perDepth = (radiusPx * 2 * Math.tan((camera.fov * Math.PI) / 360)) / Math.max(1, height);
    const origin = [ray.origin.x, ray.origin.y, ray.origin.z];
    const direction = [ray.direction.x, ray.direction.y, ray.direction.z];
    let hit = null;
    const world = thumbnails?.worldSize ?? 0;
    if (thumbnails && world > 0) {
      // The front-most point whose thumbnail could reach the pointer (a cone as wide as half a
      // thumbnail's diagonal) is picked where its square on screen holds the pointer.
      const wide = grid.raycast(origin, direction, world * Math.SQRT1_2, perDepth, camera.near, cloud.hidden);
      const at = wide ? cloud.positionOf(wide.index) : null;
      if (wide && at && onThumbnail({ x: clientX, y: clientY }, stage.toScreen(at), thumbnails.sidePx(wide.index))) hit = wide;
    }
    hit ??= grid.raycast(origin, direction, 0, perDepth, camera.near, cloud.hidden);
    const ms = performance.now() - started;
    pickStats.lastMs = ms;
    pickStats.count++;
    pickStats.totalMs += ms;
    return hit ? hit.index : null;
  }

  function spotAt(clientX: number, clientY: number, through?: Vec3): Vec3 | null {
    const facing = camera.getWorldDirection(new Vector3());
    const { ray } = stage.rayAt(clientX, clientY);
    const target = controls.target;
    return spotOnPlane(
      [ray.origin.x, ray.origin.y, ray.origin.z],
      [ray.direction.x, ray.direction.y, ray.direction.z],
      [facing.x, facing.y, facing.z],
      through ?? [target.x, target.y, target.z],
    );
  }

  function nearCursor(clientX: number, clientY: number): boolean {
    if (!cursorAt) return false;
    const s = stage.toScreen(cursorAt);
    return s !== null && Math.hypot(s.x - clientX, s.y - clientY) <= CURSOR_GRAB_PX;
  }

  function capture(e: PointerEvent): void {
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic pointer (tests, automation) cannot be captured; the drag works without.
    }
  }
  function release(e: PointerEvent): void {
    try {
      canvas.releasePointerCapture(e.pointerId);
    } catch {
      // Not captured.
    }
  }

  function endLasso(e: PointerEvent, down: typeof downAt): void {
    const polygon = lasso ?? [];
    lasso = null;
    controls.enabled = true;
    release(e);
    const span = Math.max(...polygon.map((p) => Math.hypot(p.x - polygon[0].x, p.y - polygon[0].y)));
    if (span <= CLICK_PX && down && performance.now() - down.t <= CLICK_MS) {
      // Shift + click.
      callbacks.onLasso?.([], 'end', new Int32Array(0));
      const i = pick(e.clientX, e.clientY);
      if (i !== null) callbacks.onPointToggle?.(i);
      return;
    }
    camera.updateMatrixWorld();
    const viewProjection = camera.projectionMatrix.clone().multiply(camera.matrixWorldInverse).elements;
    callbacks.onLasso?.(polygon, 'end', pointsInPolygon(cloud.positions, cloud.count, cloud.hidden, viewProjection, canvas.getBoundingClientRect(), polygon));
  }

  const onPointerDown = (e: PointerEvent): void => {
    downAt = { x: e.clientX, y: e.clientY, t: performance.now(), button: e.button };
    if (e.button === 0 && e.shiftKey) {
      // The controls must not orbit while the lasso is drawn (they see this press after us).
      lasso = [{ x: e.clientX, y: e.clientY }];
      controls.enabled = false;
      capture(e);
      return;
    }
    if (e.button === 0 && cursorAt && nearCursor(e.clientX, e.clientY)) {
      draggingCursor = true;
      controls.enabled = false;
      capture(e);
      canvas.style.cursor = 'grabbing';
      callbacks.onCursorDrag?.([...cursorAt], 'start');
    }
  };

  const hoverNow = (): void => {
    hoverFrame = 0;
    if (!hoverEvent) return;
    const { x, y } = hoverEvent;
    const i = pick(x, y);
    canvas.style.cursor = nearCursor(x, y) ? 'grab' : i !== null ? 'pointer' : 'crosshair';
    callbacks.onHover?.(i, x, y);
  };

  const onPointerMove = (e: PointerEvent): void => {
    if (lasso) {
      const last = lasso[lasso.length - 1];
      if (Math.hypot(e.clientX - last.x, e.clientY - last.y) >= 3) {
        lasso.push({ x: e.clientX, y: e.clientY });
        callbacks.onLasso?.(lasso, 'move', new Int32Array(0));
      }
      return;
    }
    if (draggingCursor) {
      // The plane through the cursor as the page last set it: the scene only reports the spot.
      const p = spotAt(e.clientX, e.clientY, cursorAt ?? undefined);
      if (p) {
        dragSpot = p;
        callbacks.onCursorDrag?.(p, 'move');
      }
      return;
    }
    if (e.buttons !== 0) return;
    hoverEvent = { x: e.clientX, y: e.clientY };
    if (!hoverFrame) hoverFrame = requestAnimationFrame(hoverNow);
  };

  const onPointerUp = (e: PointerEvent): void => {
    const down = downAt;
    downAt = null;
    if (lasso) {
      endLasso(e, down);
      return;
    }
    if (draggingCursor) {
      draggingCursor = false;
      controls.enabled = true;
      release(e);
      canvas.style.cursor = 'grab';
      const end = dragSpot ?? cursorAt;
      dragSpot = null;
      if (end) callbacks.onCursorDrag?.([...end], 'end');
      return;
    }
    if (!down || down.button !== 0 || e.button !== 0) return;
    if (Math.hypot(e.clientX - down.x, e.clientY - down.y) > CLICK_PX || performance.now() - down.t > CLICK_MS) return;
    const i = pick(e.clientX, e.clientY);
    if (i !== null) callbacks.onPointClick?.(i);
    else {
      const p = spotAt(e.clientX, e.clientY);
      if (p) callbacks.onSpaceClick?.(p);
    }
  };

  const onPointerLeave = (): void => {
    hoverEvent = null;
    callbacks.onHover?.(null, 0, 0);
  };

  canvas.addEventListener('pointerdown', onPointerDown, { capture: true });
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerUp);
  canvas.addEventListener('pointerleave', onPointerLeave);

  return {
    reindex() {
      // Not built here: a first layout's index (~20 ms for 70,000 points) would delay its first frame.
      index = null;
      idleBuild?.();
      idleBuild = whenIdle(() => {
        idleBuild = null;
        if (cloud.count > 0) indexed();
      });
    },
    setCursor(p) {
      cursorAt = p ? [p[0], p[1], p[2]] : null;
    },
    pick,
    spotAt,
    pickStats,
    dispose() {
      if (hoverFrame) cancelAnimationFrame(hoverFrame);
      canvas.removeEventListener('pointerdown', onPointerDown, { capture: true });
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerup', onPointerUp);
      canvas.removeEventListener('pointerleave', onPointerLeave);
      idleBuild?.();
      index = null;
    },
  };
}

/** Runs `task` when the page is next idle (after the frames due now); returns what cancels it. */
function whenIdle(task: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(task, { timeout: 1000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(task, 0);
  return () => clearTimeout(id);
}
