/**
 * The mosaic: the points near the camera drawn as their thumbnails, straight from the sprite atlas
 * pages hover already uses. One Points object (one draw call) per atlas page, holding compact
 * copies of the page's points that are near enough (positions, glide targets, hidden flags, each
 * one's cell in the page), gathered again a few times a second while the view moves: drawing the
 * whole page and discarding most vertices costs a software renderer what 70,000 more dots do.
 * Which points become images is mosaic-lod.ts's: the nearest MOSAIC_BUDGET, where they are at least
 * MOSAIC_MIN_PX wide (the shader checks both again every frame); the rest stay the cloud's dots.
 * Only the pages holding such points are fetched and kept as textures (at most MAX_PAGES).
 */
import {
  BufferAttribute,
  BufferGeometry,
  DataTexture,
  NearestFilter,
  Points,
  RGBAFormat,
  RedFormat,
  ShaderMaterial,
  UnsignedByteType,
  type IUniform,
} from 'three';
import { ATLAS_COLUMNS, ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';
import { extentOf } from './camera3d';
import { LOD_ABOVE, lodSubset } from './lod';
import {
  MOSAIC_BUDGET,
  MOSAIC_DOTS_LOD_ABOVE,
  MOSAIC_MAX_PX,
  MOSAIC_MIN_PX,
  MOSAIC_SAMPLE,
  defaultThumbnailSize,
  pagesWithin,
  pixelsPerUnit,
  thumbnailRadius,
  thumbnailReach,
} from './mosaic-lod';
import { MOSAIC_FRAGMENT, MOSAIC_VERTEX } from './shaders';
import type { PointCloud } from './point-cloud';
import type { Stage } from './stage';

/** Textures kept at most (a 28 px gray page is 0.8 MB, a 32 px colour one 4 MB). */
export const MAX_PAGES = 64;
/** How often the pages wanted are worked out again while the camera moves. */
const PAGES_EVERY_MS = 250;
const MAX_LOADS = 4;

export interface MosaicOptions {
  /** The thumbnails' size relative to the default (the size slider). */
  size: number;
  /** Page `page` of the dataset's thumbnails (ATLAS_PAGE_SIZE per page, in point order). */
  loadPage(page: number): Promise<Atlas>;
}

export interface MosaicStats {
  /** Atlas pages held as textures. */
  textures: number;
  /** Thumbnails drawn at the last count (points of loaded pages the LOD shows as images). */
  thumbnails: number;
}

export interface MosaicLayer {
  /** null turns the mosaic off (its textures are freed). */
  set(options: MosaicOptions | null): void;
  readonly stats: MosaicStats;
  dispose(): void;
}

interface Page {
  points: Points;
  material: ShaderMaterial;
  texture: DataTexture;
  usedAt: number;
  first: number;
  count: number;
}

/** Gathered with a margin, so the points the shader shows between two gatherings are there. */
const GATHER_MARGIN = 1.25;

function atlasTexture(atlas: Atlas): DataTexture {
  const width = atlas.cols * atlas.thumb;
  const height = atlas.rows * atlas.thumb;
  let texture: DataTexture;
  if (atlas.channels === 1) texture = new DataTexture(atlas.pixels, width, height, RedFormat, UnsignedByteType);
  else {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0, n = width * height; i < n; i++) {
      rgba[i * 4] = atlas.pixels[i * 3];
      rgba[i * 4 + 1] = atlas.pixels[i * 3 + 1];
      rgba[i * 4 + 2] = atlas.pixels[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
    texture = new DataTexture(rgba, width, height, RGBAFormat, UnsignedByteType);
  }
  texture.unpackAlignment = 1;
  texture.magFilter = NearestFilter;
  texture.minFilter = NearestFilter;
  texture.generateMipmaps = false;
  texture.needsUpdate = true;
  return texture;
}

export function createMosaicLayer(stage: Stage, cloud: PointCloud): MosaicLayer {
  const shared: Record<string, IUniform> = {
    uMix: cloud.mixUniform,
    uWorld: { value: 0 },
    uPxPerUnit: { value: 1 },
    uMinPx: { value: MOSAIC_MIN_PX },
    uMaxPx: { value: MOSAIC_MAX_PX },
    uRadius: { value: 0 },
  };
  const pages = new Map<number, Page>();
  const loading = new Set<number>();
  let options: MosaicOptions | null = null;
  /** Bumped whenever loaded pages would no longer fit (new points, mosaic off): late pages are dropped. */
  let generation = 0;
  let wired: { position: unknown; positionTo: unknown; hidden: unknown; count: number; versions: string } | null = null;
  let sample: Uint32Array = new Uint32Array(0);
  let baseSize = 0;
  let wanted = new Set<number>();
  let lastPages = -Infinity;
  let pagesTimer: ReturnType<typeof setTimeout> | null = null;
  const stats: MosaicStats = { textures: 0, thumbnails: 0 };

  function dropPage(page: number): void {
    const p = pages.get(page);
    if (!p) return;
    stage.scene.remove(p.points);
    p.points.geometry.dispose();
    p.material.dispose();
    p.texture.dispose();
    pages.delete(page);
  }

  function dropAll(): void {
    for (const page of [...pages.keys()]) dropPage(page);
    loading.clear();
    wanted = new Set();
    generation++;
    stats.textures = 0;
    stats.thumbnails = 0;
  }

  /** New points, new buffers or new values in them (a glide, hidden labels): size again, gather again. */
  function rewire(): void {
    const g = cloud.geometry;
    const attrs = (['position', 'positionTo', 'aHidden'] as const).map((name) => g.getAttribute(name) as BufferAttribute | undefined);
    const now = { position: attrs[0], positionTo: attrs[1], hidden: attrs[2], count: cloud.count, versions: attrs.map((a) => a?.version ?? -1).join() };
    const same = wired && (['position', 'positionTo', 'hidden', 'count', 'versions'] as const).every((k) => wired![k] === now[k]);
    if (same) return;
    if (wired?.count !== now.count) {
      dropAll();
      sample = lodSubset(now.count, Math.min(now.count, MOSAIC_SAMPLE), 777);
    }
    baseSize = now.count ? defaultThumbnailSize(extentOf(cloud.positions, now.count, 0).r, now.count) : 0;
    lastPages = -Infinity;
    wired = now;
  }

  /** Copies the page's points within `reach` of the eye (and not hidden) into its own buffers. */
  function gather(p: Page, eye: [number, number, number], reach: number): number {
    const g = cloud.geometry;
    const from = (g.getAttribute('position') as BufferAttribute).array as Float32Array;
    const to = cloud.positions;
    const hidden = cloud.hidden;
    const geometry = p.points.geometry;
    const position = geometry.getAttribute('position') as BufferAttribute;
    const target = geometry.getAttribute('positionTo') as BufferAttribute;
    const cell = geometry.getAttribute('aCell') as BufferAttribute;
    const [a, b, c] = [position.array as Float32Array, target.array as Float32Array, cell.array as Float32Array];
    const r2 = reach * GATHER_MARGIN * (reach * GATHER_MARGIN);
    let k = 0;
    for (let n = 0; n < p.count; n++) {
      const i = p.first + n;
      if (hidden?.[i]) continue;
      const dx = to[i * 3] - eye[0];
      const dy = to[i * 3 + 1] - eye[1];
      const dz = to[i * 3 + 2] - eye[2];
      if (dx * dx + dy * dy + dz * dz > r2) continue;
      for (let j = 0; j < 3; j++) {
        a[k * 3 + j] = from[i * 3 + j];
        b[k * 3 + j] = to[i * 3 + j];
      }
      c[k * 2] = n % ATLAS_COLUMNS;
      c[k * 2 + 1] = Math.floor(n / ATLAS_COLUMNS);
      k++;
    }
    position.needsUpdate = true;
    target.needsUpdate = true;
    cell.needsUpdate = true;
    geometry.setDrawRange(0, k);
    return k;
  }

  function addPage(atlas: Atlas): void {
    const texture = atlasTexture(atlas);
    const material = new ShaderMaterial({
      uniforms: {
        ...shared,
        uAtlas: { value: texture },
        uCellUv: { value: [atlas.thumb / (atlas.cols * atlas.thumb), atlas.thumb / (atlas.rows * atlas.thumb)] },
        uGray: { value: atlas.channels === 1 ? 1 : 0 },
      },
      vertexShader: MOSAIC_VERTEX,
      fragmentShader: MOSAIC_FRAGMENT,
    });
    const geometry = new BufferGeometry();
    const n = atlas.count;
    geometry.setAttribute('position', new BufferAttribute(new Float32Array(n * 3), 3));
    geometry.setAttribute('positionTo', new BufferAttribute(new Float32Array(n * 3), 3));
    // Hidden points are left out when gathered: the shader's flag stays 0.
    geometry.setAttribute('aHidden', new BufferAttribute(new Float32Array(n), 1));
    geometry.setAttribute('aCell', new BufferAttribute(new Float32Array(n * 2), 2));
    geometry.setDrawRange(0, 0);
    const points = new Points(geometry, material);
    points.frustumCulled = false;
    // After the cloud: a thumbnail covers its own dot (same depth; three's depth test is less-or-equal).
    points.renderOrder = 1;
    stage.scene.add(points);
    pages.set(atlas.page, { points, material, texture, usedAt: performance.now(), first: atlas.first, count: atlas.count });
    lastPages = -Infinity;
  }

  function load(page: number): void {
    const from = options;
    if (!from) return;
    const gen = generation;
    loading.add(page);
    from
      .loadPage(page)
      .then((atlas) => {
        if (gen !== generation || options !== from || pages.has(page) || atlas.first + atlas.count > cloud.count) return;
        addPage(atlas);
        stats.textures = pages.size;
        stage.requestRender();
      })
      .catch(() => {
        // A page that cannot be fetched leaves its points as dots; the next pass may try again.
      })
      .finally(() => {
        if (gen === generation) loading.delete(page);
      });
  }

  /** Which pages hold the thumbnails to draw: fetch the missing, forget the least recently used past MAX_PAGES. */
  function updatePages(now: number, eye: [number, number, number], reach: number): void {
    lastPages = now;
    const found = pagesWithin(cloud.positions, cloud.count, eye, reach, ATLAS_PAGE_SIZE, MAX_PAGES);
    wanted = new Set(found.pages);
    let thumbnails = 0;
    for (const page of found.pages) {
      const p = pages.get(page);
      if (p) p.usedAt = now;
      else if (!loading.has(page) && loading.size < MAX_LOADS) load(page);
    }
    // Gather each wanted page's near points; what the shader will show of them is counted (the view's figures, the bench).
    const r2 = reach * reach;
    for (const [page, p] of pages) {
      if (!wanted.has(page)) continue;
      const k = gather(p, eye, reach);
      const to = p.points.geometry.getAttribute('positionTo').array as Float32Array;
      for (let j = 0; j < k; j++) {
        const dx = to[j * 3] - eye[0];
        const dy = to[j * 3 + 1] - eye[1];
        const dz = to[j * 3 + 2] - eye[2];
        if (dx * dx + dy * dy + dz * dz <= r2) thumbnails++;
      }
    }
    stats.thumbnails = thumbnails;
    const extra = [...pages.entries()].filter(([page]) => !wanted.has(page)).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (let k = 0; k < extra.length && pages.size > MAX_PAGES; k++) dropPage(extra[k][0]);
    stats.textures = pages.size;
  }

  const offFrame = stage.onFrame((now) => {
    if (!options || cloud.count === 0) {
      for (const p of pages.values()) p.points.visible = false;
      return false;
    }
    rewire();
    const camera = stage.camera;
    const eye: [number, number, number] = [camera.position.x, camera.position.y, camera.position.z];
    const pxPerUnit = pixelsPerUnit(stage.canvas.height || 1, camera.fov);
    const world = baseSize * options.size;
    const reach = Math.min(thumbnailRadius(cloud.positions, cloud.count, eye, MOSAIC_BUDGET, sample), thumbnailReach(world, pxPerUnit));
    shared.uWorld.value = world;
    shared.uPxPerUnit.value = pxPerUnit;
    shared.uRadius.value = reach;
    if (now - lastPages >= PAGES_EVERY_MS) updatePages(now, eye, reach);
    else if (!pagesTimer) {
      // The camera may stop before the next pass: make sure one comes.
      pagesTimer = setTimeout(() => {
        pagesTimer = null;
        stage.requestRender();
      }, PAGES_EVERY_MS);
    }
    for (const [page, p] of pages) p.points.visible = wanted.has(page);
    return false;
  });

  return {
    set(next) {
      cloud.setLodAbove(next ? MOSAIC_DOTS_LOD_ABOVE : LOD_ABOVE);
      if (!next) {
        options = null;
        dropAll();
        wired = null;
      } else {
        if (options && options.loadPage !== next.loadPage) {
          // Another dataset's thumbnails.
          dropAll();
          wired = null;
        }
        options = next;
        lastPages = -Infinity;
      }
      stage.requestRender();
    },
    stats,
    dispose() {
      offFrame();
      if (pagesTimer) clearTimeout(pagesTimer);
      options = null;
      dropAll();
    },
  };
}
