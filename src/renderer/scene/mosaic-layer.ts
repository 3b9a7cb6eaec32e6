/**
 * The mosaic: the points near the camera drawn as their thumbnails, from the sprite atlas pages
 * hover already uses. All thumbnails are one draw call: the pages in use are layers of one texture
 * array, and the points near enough (positions, glide targets, each one's cell and layer) are copied
 * into one compact vertex buffer a few times a second while the view moves, uploaded only then.
 * SwiftShader pays a fixed cost per draw that one draw per page made the mosaic's largest cost, and
 * drawing all points and discarding most vertices costs it what 70,000 more dots do
 * (docs/ARCHITECTURE.md, "The mosaic's frame"). Which points become images is mosaic-lod.ts's: the
 * nearest MOSAIC_BUDGET, where they are at least MOSAIC_MIN_PX wide (the shader checks both again
 * every frame); the rest stay the cloud's dots. Only the pages holding such points are fetched and
 * kept (at most MAX_PAGES layers).
 */
import { BufferAttribute, BufferGeometry, DataArrayTexture, NearestFilter, Points, RGBAFormat, RedFormat, ShaderMaterial, UnsignedByteType } from 'three';
import { ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';
import { extentOf } from './camera3d';
import { LOD_ABOVE, LOD_POINTS, lodSubset } from './lod';
import {
  MOSAIC_BUDGET,
  MOSAIC_DOTS_LOD_ABOVE,
  MOSAIC_DOTS_LOD_POINTS,
  MOSAIC_MAX_PX,
  MOSAIC_MIN_PX,
  MOSAIC_SAMPLE,
  defaultThumbnailSize,
  drawsThumbnail,
  pagesWithin,
  pixelsPerUnit,
  thumbnailPixels,
  thumbnailRadius,
  thumbnailReach,
} from './mosaic-lod';
import { gatherPage, layerShape, packPageLayer, sameShape, type LayerShape, type ThumbnailBuffers, type ThumbnailFootprint } from './mosaic-pack';
import { MOSAIC_FRAGMENT, MOSAIC_VERTEX } from './shaders';
import type { PointCloud } from './point-cloud';
import type { Stage } from './stage';
import type { Vec3 } from './types';

/**
 * Atlas pages kept at most, as layers of the texture array (a 28 px gray page is 0.8 MB, a 32 px
 * colour one 4 MB). Enough for every page of a 70,000-image dataset: its points are in dataset
 * order, so every page has points near the camera, and with fewer layers than pages an orbit keeps
 * evicting and fetching pages again (each a fetch, a texture upload and a gathering).
 */
export const MAX_PAGES = 72;
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
  /** Atlas pages held (layers of the texture array in use). */
  textures: number;
  /** Thumbnails drawn at the last count (points of loaded pages the LOD shows as images). */
  thumbnails: number;
  /** Pages being fetched now. */
  loading: number;
}

export interface MosaicLayer {
  /** null turns the mosaic off (its texture and buffers are freed). */
  set(options: MosaicOptions | null): void;
  readonly stats: MosaicStats;
  /** Which points the last frame drew as thumbnails, and how big (picking uses it). */
  readonly footprint: ThumbnailFootprint;
  dispose(): void;
}

/** The GL side of the mosaic: one texture array, one geometry, one draw; made with the first page. */
interface Batch {
  shape: LayerShape;
  texture: DataArrayTexture;
  geometry: BufferGeometry;
  material: ShaderMaterial;
  points: Points;
  buffers: ThumbnailBuffers;
  /** Layers not holding a page. */
  free: number[];
}

interface Page {
  layer: number;
  usedAt: number;
  first: number;
  count: number;
}

/** Gathered with a margin, so the points the shader shows between two gatherings are there. */
const GATHER_MARGIN = 1.25;

function createBatch(shape: LayerShape, layers: number, mix: { value: number }): Batch {
  const data = new Uint8Array(shape.width * shape.height * shape.texelBytes * layers);
  const texture = new DataArrayTexture(data, shape.width, shape.height, layers);
  texture.format = shape.texelBytes === 1 ? RedFormat : RGBAFormat;
  texture.type = UnsignedByteType;
  texture.unpackAlignment = 1;
  texture.magFilter = NearestFilter;
  texture.minFilter = NearestFilter;
  texture.generateMipmaps = false;
  const capacity = layers * ATLAS_PAGE_SIZE;
  const buffers: ThumbnailBuffers = {
    position: new Float32Array(capacity * 3),
    positionTo: new Float32Array(capacity * 3),
    cell: new Float32Array(capacity * 3),
  };
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(buffers.position, 3));
  geometry.setAttribute('positionTo', new BufferAttribute(buffers.positionTo, 3));
  geometry.setAttribute('aCell', new BufferAttribute(buffers.cell, 3));
  geometry.setDrawRange(0, 0);
  const material = new ShaderMaterial({
    uniforms: {
      uMix: mix,
      uWorld: { value: 0 },
      uPxPerUnit: { value: 1 },
      uMinPx: { value: MOSAIC_MIN_PX },
      uMaxPx: { value: MOSAIC_MAX_PX },
      uRadius: { value: 0 },
      uAtlas: { value: texture },
      uThumb: { value: shape.thumb },
      uGray: { value: shape.channels === 1 ? 1 : 0 },
    },
    vertexShader: MOSAIC_VERTEX,
    fragmentShader: MOSAIC_FRAGMENT,
  });
  const points = new Points(geometry, material);
  points.frustumCulled = false;
  // Before the cloud: the dots behind thumbnails then fail the depth test (the shader puts each
  // thumbnail a hair in front of its own dot).
  points.renderOrder = -1;
  points.visible = false;
  return { shape, texture, geometry, material, points, buffers, free: Array.from({ length: layers }, (_, i) => layers - 1 - i) };
}

export function createMosaicLayer(stage: Stage, cloud: PointCloud): MosaicLayer {
  let batch: Batch | null = null;
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
  const stats: MosaicStats = { textures: 0, thumbnails: 0, loading: 0 };
  /** The last frame's view, as its shader saw it (picking asks which points it drew as thumbnails). */
  const drawn = { eye: [0, 0, 0] as Vec3, reach: 0, world: 0, pxPerUnit: 1 };

  function disposeBatch(): void {
    if (!batch) return;
    stage.scene.remove(batch.points);
    batch.geometry.dispose();
    batch.material.dispose();
    batch.texture.dispose();
    batch = null;
    pages.clear();
  }

  function dropAll(): void {
    disposeBatch();
    loading.clear();
    wanted = new Set();
    generation++;
    stats.textures = 0;
    stats.thumbnails = 0;
    stats.loading = 0;
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

  /** Copies the near points of the wanted pages into the batch's buffers; only the part written is uploaded. */
  function gather(b: Batch, eye: Vec3, reach: number): void {
    const from = (cloud.geometry.getAttribute('position') as BufferAttribute).array as Float32Array;
    let k = 0;
    let thumbnails = 0;
    for (const page of wanted) {
      const p = pages.get(page);
      if (!p) continue;
      const got = gatherPage(b.buffers, k, p, b.shape.cols, from, cloud.positions, cloud.hidden, eye, reach * GATHER_MARGIN, reach);
      k = got.next;
      thumbnails += got.within;
    }
    for (const name of ['position', 'positionTo', 'aCell']) {
      const attr = b.geometry.getAttribute(name) as BufferAttribute;
      attr.clearUpdateRanges();
      attr.addUpdateRange(0, k * 3);
      attr.needsUpdate = true;
    }
    b.geometry.setDrawRange(0, k);
    stats.thumbnails = thumbnails;
  }

  /** The layer for a new page: a free one, else that of the least recently used page no longer wanted. */
  function layerFor(b: Batch): number | null {
    const free = b.free.pop();
    if (free !== undefined) return free;
    let oldest: [number, Page] | null = null;
    for (const entry of pages) if (!wanted.has(entry[0]) && (!oldest || entry[1].usedAt < oldest[1].usedAt)) oldest = entry;
    if (!oldest) return null;
    pages.delete(oldest[0]);
    return oldest[1].layer;
  }

  function addPage(atlas: Atlas): void {
    const shape = layerShape(atlas, ATLAS_PAGE_SIZE);
    if (batch && !sameShape(batch.shape, shape)) {
      // Thumbnails of another size or colour: a new array (the pages held are fetched again if still wanted).
      disposeBatch();
    }
    if (!batch) {
      batch = createBatch(shape, Math.max(1, Math.min(MAX_PAGES, Math.ceil(cloud.count / ATLAS_PAGE_SIZE))), cloud.mixUniform);
      stage.scene.add(batch.points);
    }
    const layer = layerFor(batch);
    if (layer === null) return;
    packPageLayer(batch.texture.image.data as Uint8Array, layer, shape, atlas);
    batch.texture.addLayerUpdate(layer);
    batch.texture.needsUpdate = true;
    pages.set(atlas.page, { layer, usedAt: performance.now(), first: atlas.first, count: atlas.count });
    lastPages = -Infinity;
  }

  function load(page: number): void {
    const from = options;
    if (!from) return;
    const gen = generation;
    loading.add(page);
    stats.loading = loading.size;
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
        if (gen !== generation) return;
        loading.delete(page);
        stats.loading = loading.size;
      });
  }

  /** Which pages hold the thumbnails to draw: fetch the missing, then gather the near points of those held. */
  function updatePages(now: number, eye: Vec3, reach: number): void {
    lastPages = now;
    const found = pagesWithin(cloud.positions, cloud.count, eye, reach, ATLAS_PAGE_SIZE, MAX_PAGES);
    wanted = new Set(found.pages);
    for (const page of found.pages) {
      const p = pages.get(page);
      if (p) p.usedAt = now;
      else if (!loading.has(page) && loading.size < MAX_LOADS) load(page);
    }
    if (batch) gather(batch, eye, reach);
    stats.textures = pages.size;
  }

  const offFrame = stage.onFrame((now) => {
    if (!options || cloud.count === 0) {
      if (batch) batch.points.visible = false;
      return false;
    }
    rewire();
    const camera = stage.camera;
    const eye: Vec3 = [camera.position.x, camera.position.y, camera.position.z];
    const pxPerUnit = pixelsPerUnit(stage.canvas.height || 1, camera.fov);
    const world = baseSize * options.size;
    const reach = Math.min(thumbnailRadius(cloud.positions, cloud.count, eye, MOSAIC_BUDGET, sample), thumbnailReach(world, pxPerUnit));
    if (now - lastPages >= PAGES_EVERY_MS) updatePages(now, eye, reach);
    else if (!pagesTimer) {
      // The camera may stop before the next pass: make sure one comes.
      pagesTimer = setTimeout(() => {
        pagesTimer = null;
        stage.requestRender();
      }, PAGES_EVERY_MS);
    }
    Object.assign(drawn, { eye, reach, world, pxPerUnit });
    if (batch) {
      const u = batch.material.uniforms;
      u.uWorld.value = world;
      u.uPxPerUnit.value = pxPerUnit;
      u.uRadius.value = reach;
      batch.points.visible = batch.geometry.drawRange.count > 0;
    }
    return false;
  });

  return {
    set(next) {
      cloud.setLodAbove(next ? MOSAIC_DOTS_LOD_ABOVE : LOD_ABOVE, next ? MOSAIC_DOTS_LOD_POINTS : LOD_POINTS);
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
    footprint: {
      get worldSize() {
        return options && batch?.points.visible ? drawn.world : 0;
      },
      sidePx(i) {
        // The shader's test (mosaic-lod.ts's drawsThumbnail), on a point of a page that is held.
        if (!options || !batch?.points.visible || cloud.hidden?.[i] || !pages.has(Math.floor(i / ATLAS_PAGE_SIZE))) return 0;
        const p = cloud.positionOf(i);
        if (!p) return 0;
        const distance = Math.hypot(p[0] - drawn.eye[0], p[1] - drawn.eye[1], p[2] - drawn.eye[2]);
        const px = thumbnailPixels(drawn.world, distance, drawn.pxPerUnit);
        return drawsThumbnail(distance, px, drawn.reach) ? Math.min(px, MOSAIC_MAX_PX) / stage.pixelRatio : 0;
      },
    },
    dispose() {
      offFrame();
      if (pagesTimer) clearTimeout(pagesTimer);
      options = null;
      dropAll();
    },
  };
}
