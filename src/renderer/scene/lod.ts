/**
 * Level of detail for big clouds: while the camera moves (or the points glide), a fixed random
 * subset of the points is drawn instead of all of them, and the whole cloud again once the view
 * has been still for SETTLE_MS. The subset is a second Points object with compact copies of the
 * chosen points' attributes (gathered again whenever a full attribute changes, so colours, hidden
 * points and marks stay in step). Compact, not an index into the full buffers: an indexed draw
 * spanning the whole buffer costs SwiftShader nearly what the full draw does. Picking never sees
 * this: it uses the full grid index.
 */
import { BufferAttribute, BufferGeometry, Points, type Material } from 'three';
import type { Stage } from './stage';

/** Clouds up to this size are always drawn whole. */
export const LOD_ABOVE = 250_000;
/** How many points are drawn while moving (SwiftShader draws ~20k at the frame rate of an empty canvas; 100k at a third of it). */
export const LOD_POINTS = 20_000;
const SETTLE_MS = 180;

export interface Lod {
  /** Whether the last frame drew the subset. */
  readonly active: boolean;
  setEnabled(enabled: boolean): void;
  /** Clouds above `count` points are thinned to `points` while moving (LOD_ABOVE and LOD_POINTS unless a layer asks for less). */
  setAbove(count: number, points?: number): void;
  dispose(): void;
}

/** A fixed random subset of 0…count−1 (seeded: the same points every time), ascending. */
export function lodSubset(count: number, size: number, seed = 12345): Uint32Array {
  if (size >= count) return Uint32Array.from({ length: count }, (_, i) => i);
  const picked = new Uint8Array(count);
  const out = new Uint32Array(size);
  let s = seed >>> 0 || 1;
  let n = 0;
  while (n < size) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const i = Math.floor((s / 2 ** 32) * count);
    if (picked[i]) continue;
    picked[i] = 1;
    n++;
  }
  for (let i = 0, k = 0; i < count; i++) if (picked[i]) out[k++] = i;
  return out;
}

export function createLod(stage: Stage, full: Points, material: Material, count: () => number, gliding: () => boolean): Lod {
  const geometry = new BufferGeometry();
  const subset = new Points(geometry, material);
  subset.frustumCulled = false;
  subset.visible = false;
  stage.scene.add(subset);
  let enabled = true;
  let above = LOD_ABOVE;
  let points = LOD_POINTS;
  let active = false;
  let subsetOf = -1;
  let chosen: Uint32Array = new Uint32Array(0);
  const copies = new Map<string, { source: BufferAttribute; version: number; copy: BufferAttribute }>();
  let lastMove = -Infinity;
  let settleTimer: ReturnType<typeof setTimeout> | null = null;
  const last = new Float64Array(32);
  const camera = stage.camera;

  function syncCopies(): void {
    for (const [name, attr] of Object.entries(full.geometry.attributes)) {
      const source = attr as BufferAttribute;
      const known = copies.get(name);
      if (known && known.source === source && known.version === source.version) continue;
      const size = source.itemSize;
      const from = source.array as Float32Array;
      const copy = known && known.source.itemSize === size ? known.copy : new BufferAttribute(new Float32Array(chosen.length * size), size);
      const to = copy.array as Float32Array;
      for (let k = 0; k < chosen.length; k++) for (let c = 0; c < size; c++) to[k * size + c] = from[chosen[k] * size + c];
      copy.needsUpdate = true;
      if (geometry.getAttribute(name) !== copy) geometry.setAttribute(name, copy);
      copies.set(name, { source, version: source.version, copy });
    }
    geometry.setDrawRange(0, chosen.length);
  }

  function cameraMoved(): boolean {
    camera.updateMatrixWorld();
    const now = [...camera.matrixWorld.elements, ...camera.projectionMatrix.elements];
    let moved = false;
    for (let i = 0; i < 32; i++) {
      if (last[i] !== now[i]) moved = true;
      last[i] = now[i];
    }
    return moved;
  }

  const offFrame = stage.onFrame((now) => {
    const n = count();
    const moved = cameraMoved() || gliding();
    if (moved) lastMove = now;
    const want = enabled && n > above && now - lastMove < SETTLE_MS;
    if (want) {
      if (subsetOf !== n || chosen.length !== Math.min(n, points)) {
        chosen = lodSubset(n, points);
        subsetOf = n;
        copies.clear();
      }
      syncCopies();
      if (settleTimer) clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        settleTimer = null;
        stage.requestRender();
      }, SETTLE_MS + 10);
    }
    active = want;
    subset.visible = want;
    full.visible = !want;
    return false;
  });

  return {
    get active() {
      return active;
    },
    setEnabled(e) {
      enabled = e;
      stage.requestRender();
    },
    setAbove(count, subset = LOD_POINTS) {
      above = count;
      points = subset;
      stage.requestRender();
    },
    dispose() {
      offFrame();
      if (settleTimer) clearTimeout(settleTimer);
      stage.scene.remove(subset);
      geometry.dispose();
    },
  };
}
