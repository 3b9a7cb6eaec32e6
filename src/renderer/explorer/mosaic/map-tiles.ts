/**
 * The decoded map's tiling: a quadtree over a square around the layout on the map's plane (in its
 * plane coordinates: the view's x and y in the flat view; scene/map-plane.ts).
 * Level L cuts it into 2^L × 2^L tiles of MAP_GRID × MAP_GRID decoded images each; the level shown
 * is the coarsest at which one decoded image is at most MAP_TARGET_PX wide on screen, so zooming in
 * by two asks for the next level, and only the tiles in sight are asked for. Pure functions (tested
 * in Node); decoded-map.svelte.ts decodes and caches the tiles.
 */
import type { Images } from '../../../shared/contract';
import type { Vec3 } from '../../scene/types';

/** Decoded images per tile side. */
export const MAP_GRID = 4;
/** A level is refined until one decoded image is at most this wide on screen (CSS pixels). */
export const MAP_TARGET_PX = 80;
export const MAP_MAX_LEVEL = 6;
/** Tiles asked for per level at most (the ones nearest the middle of the view). */
export const MAP_MAX_TILES = 36;

/** The map's square on the plane: lower-left corner and side (view units). */
export interface MapSquare {
  x0: number;
  y0: number;
  side: number;
}

export interface TileRect {
  level: number;
  tx: number;
  ty: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** What the camera sees of the plane: the point it looks at, how far it is, the viewport. */
export interface PlaneView {
  target: Vec3;
  distance: number;
  /** The viewport, CSS pixels. */
  widthPx: number;
  heightPx: number;
  fovDeg: number;
}

/** A square around the points' x and y (5 % margin each side), the map's extent. */
export function mapSquare(view: Float32Array, count: number): MapSquare {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = view[i * 3];
    const y = view[i * 3 + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (count === 0) return { x0: -1, y0: -1, side: 2 };
  const side = Math.max(maxX - minX, maxY - minY, 1e-3) * 1.1;
  return { x0: (minX + maxX) / 2 - side / 2, y0: (minY + maxY) / 2 - side / 2, side };
}

export function tileRect(square: MapSquare, level: number, tx: number, ty: number): TileRect {
  const s = square.side / 2 ** level;
  const x0 = square.x0 + tx * s;
  const y0 = square.y0 + ty * s;
  return { level, tx, ty, x0, y0, x1: x0 + s, y1: y0 + s };
}

/** The plane's rectangle in sight (a frontal approximation around the target) and its scale in CSS px per view unit. */
export function visibleRect(v: PlaneView): { x0: number; y0: number; x1: number; y1: number; pxPerUnit: number } {
  const halfH = Math.max(1e-9, v.distance * Math.tan((v.fovDeg * Math.PI) / 360));
  const halfW = halfH * (v.widthPx / Math.max(1, v.heightPx));
  const [cx, cy] = v.target;
  return { x0: cx - halfW, y0: cy - halfH, x1: cx + halfW, y1: cy + halfH, pxPerUnit: v.heightPx / (2 * halfH) };
}

/** The coarsest level at which one decoded image is at most targetPx wide (0 … maxLevel). */
export function tileLevel(side: number, pxPerUnit: number, grid = MAP_GRID, targetPx = MAP_TARGET_PX, maxLevel = MAP_MAX_LEVEL): number {
  const cellPx = (side / grid) * pxPerUnit;
  if (!(cellPx > targetPx)) return 0;
  return Math.min(maxLevel, Math.ceil(Math.log2(cellPx / targetPx) - 1e-9));
}

/** The tiles of `level` overlapping `rect`, nearest its middle first, at most maxTiles. */
export function visibleTiles(square: MapSquare, level: number, rect: { x0: number; y0: number; x1: number; y1: number }, maxTiles = MAP_MAX_TILES): TileRect[] {
  const n = 2 ** level;
  const s = square.side / n;
  const clamp = (v: number): number => Math.max(0, Math.min(n - 1, v));
  const tx0 = clamp(Math.floor((rect.x0 - square.x0) / s));
  const tx1 = clamp(Math.ceil((rect.x1 - square.x0) / s) - 1);
  const ty0 = clamp(Math.floor((rect.y0 - square.y0) / s));
  const ty1 = clamp(Math.ceil((rect.y1 - square.y0) / s) - 1);
  if (rect.x1 <= square.x0 || rect.x0 >= square.x0 + square.side || rect.y1 <= square.y0 || rect.y0 >= square.y0 + square.side) return [];
  const cx = (rect.x0 + rect.x1) / 2;
  const cy = (rect.y0 + rect.y1) / 2;
  const tiles: TileRect[] = [];
  for (let ty = ty0; ty <= ty1; ty++) for (let tx = tx0; tx <= tx1; tx++) tiles.push(tileRect(square, level, tx, ty));
  const far = (t: TileRect): number => Math.hypot((t.x0 + t.x1) / 2 - cx, (t.y0 + t.y1) / 2 - cy);
  return tiles.sort((a, b) => far(a) - far(b)).slice(0, maxTiles);
}

/** The tiles to show for a view, coarse first: every level from 0 to the view's, each only where it is in sight. */
export function tilesForView(square: MapSquare, view: PlaneView): TileRect[] {
  const rect = visibleRect(view);
  const level = tileLevel(square.side, rect.pxPerUnit);
  const out: TileRect[] = [];
  for (let l = 0; l <= level; l++) out.push(...visibleTiles(square, l, rect));
  return out;
}

/** A tile's grid × grid cell centres as plane coordinates (a, b, 0), row by row from the top (planePoint turns them into view points). */
export function tileSpots(tile: TileRect, grid = MAP_GRID): Vec3[] {
  const w = (tile.x1 - tile.x0) / grid;
  const h = (tile.y1 - tile.y0) / grid;
  const spots: Vec3[] = [];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) spots.push([tile.x0 + (c + 0.5) * w, tile.y1 - (r + 0.5) * h, 0]);
  return spots;
}

/** Images first … first + grid² − 1 of a batch, stitched into one tile image (row by row from the top). */
export function composeTile(images: Images, first: number, grid = MAP_GRID): { width: number; height: number; channels: number; pixels: Uint8Array } {
  const { width: w, height: h, channels: c } = images;
  const width = w * grid;
  const height = h * grid;
  const pixels = new Uint8Array(width * height * c);
  const size = w * h * c;
  for (let k = 0; k < grid * grid; k++) {
    const img = images.pixels.subarray((first + k) * size, (first + k + 1) * size);
    const x0 = (k % grid) * w;
    const y0 = Math.floor(k / grid) * h;
    for (let y = 0; y < h; y++) pixels.set(img.subarray(y * w * c, (y + 1) * w * c), ((y0 + y) * width + x0) * c);
  }
  return { width, height, channels: c, pixels };
}

export const tileKey = (prefix: string, t: TileRect): string => `${prefix}|${t.level}/${t.tx}/${t.ty}`;
