/**
 * Packing for the mosaic's single draw: atlas pages laid into the layers of one texture array, and
 * the points near the camera copied into one compact set of vertex buffers (each vertex names its
 * cell and layer). SwiftShader pays a fixed cost per draw call that 64 per-page draws made the
 * mosaic's largest cost (see docs/ARCHITECTURE.md, "The mosaic's frame"), so everything is drawn
 * at once. Pure functions (tested in Node); mosaic-layer.ts owns the GL objects.
 */
import type { Atlas } from '../../shared/explorer-schemas';
import type { Vec3 } from './types';

/** What every page in one texture array must share (a page of another shape needs a new array). */
export interface LayerShape {
  cols: number;
  thumb: number;
  channels: 1 | 3;
  /** Layer size in pixels: cols·thumb wide, enough rows for a full page of `pageSize` cells. */
  width: number;
  height: number;
  /** Bytes a pixel in the texture: 1 (red only) for gray, 4 (RGBA) for colour. */
  texelBytes: 1 | 4;
}

export function layerShape(atlas: Pick<Atlas, 'cols' | 'thumb' | 'channels'>, pageSize: number): LayerShape {
  const channels = atlas.channels === 1 ? 1 : 3;
  return {
    cols: atlas.cols,
    thumb: atlas.thumb,
    channels,
    width: atlas.cols * atlas.thumb,
    height: Math.ceil(pageSize / atlas.cols) * atlas.thumb,
    texelBytes: channels === 1 ? 1 : 4,
  };
}

export function sameShape(a: LayerShape, b: LayerShape): boolean {
  return a.cols === b.cols && a.thumb === b.thumb && a.channels === b.channels && a.height === b.height;
}

/**
 * Copies an atlas page's pixels into layer `layer` of a texture array's data (`shape`'s layers one
 * after another): gray bytes as they are, RGB widened to opaque RGBA. Rows the page does not fill
 * are zeroed, so a shorter last page leaves nothing of the layer's previous page behind.
 */
export function packPageLayer(data: Uint8Array, layer: number, shape: LayerShape, atlas: Atlas): void {
  const layerBytes = shape.width * shape.height * shape.texelBytes;
  const out = data.subarray(layer * layerBytes, (layer + 1) * layerBytes);
  const pixels = Math.min(atlas.rows * atlas.thumb, shape.height) * shape.width;
  if (shape.texelBytes === 1) out.set(atlas.pixels.subarray(0, pixels));
  else
    for (let i = 0; i < pixels; i++) {
      out[i * 4] = atlas.pixels[i * 3];
      out[i * 4 + 1] = atlas.pixels[i * 3 + 1];
      out[i * 4 + 2] = atlas.pixels[i * 3 + 2];
      out[i * 4 + 3] = 255;
    }
  out.fill(0, pixels * shape.texelBytes);
}

/** The mosaic's vertex data: where each thumbnail starts and ends a glide, and its column, row and layer. */
export interface ThumbnailBuffers {
  position: Float32Array;
  positionTo: Float32Array;
  cell: Float32Array;
}

export interface PageInLayer {
  /** The page's first point. */
  first: number;
  count: number;
  layer: number;
}

/**
 * Appends to `out` from vertex `start` the page's points that are not hidden and lie within
 * `gatherReach` of `eye` (by their glide targets `to`; `from` is where a glide starts). Returns the
 * next free vertex and how many of the appended lie within `countReach` (the thumbnails the shader
 * will show, for the view's figures). Stops at the buffers' capacity.
 */
export function gatherPage(
  out: ThumbnailBuffers,
  start: number,
  page: PageInLayer,
  cols: number,
  from: Float32Array,
  to: Float32Array,
  hidden: Uint8Array | null,
  eye: Vec3,
  gatherReach: number,
  countReach: number,
): { next: number; within: number } {
  const capacity = out.cell.length / 3;
  const g2 = gatherReach * gatherReach;
  const c2 = countReach * countReach;
  let k = start;
  let within = 0;
  for (let n = 0; n < page.count && k < capacity; n++) {
    const i = page.first + n;
    if (hidden?.[i]) continue;
    const dx = to[i * 3] - eye[0];
    const dy = to[i * 3 + 1] - eye[1];
    const dz = to[i * 3 + 2] - eye[2];
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 > g2) continue;
    if (d2 <= c2) within++;
    for (let j = 0; j < 3; j++) {
      out.position[k * 3 + j] = from[i * 3 + j];
      out.positionTo[k * 3 + j] = to[i * 3 + j];
    }
    out.cell[k * 3] = n % cols;
    out.cell[k * 3 + 1] = Math.floor(n / cols);
    out.cell[k * 3 + 2] = page.layer;
    k++;
  }
  return { next: k, within };
}

/** What picking needs from the mosaic: how big thumbnails are, and which points are drawn as one. */
export interface ThumbnailFootprint {
  /** A thumbnail's side in view units (0: the mosaic is off). */
  readonly worldSize: number;
  /** Point i's thumbnail's side on screen in CSS pixels, 0 where the point is drawn as a dot. */
  sidePx(i: number): number;
}

/**
 * Whether a press at `cursor` (client pixels) lands on the thumbnail of the point centred at
 * `centre` on screen whose side is `sidePx`: anywhere on the square, not only near its centre dot.
 */
export function onThumbnail(cursor: { x: number; y: number }, centre: { x: number; y: number } | null, sidePx: number): boolean {
  if (!centre || !(sidePx > 0)) return false;
  return Math.abs(cursor.x - centre.x) <= sidePx / 2 && Math.abs(cursor.y - centre.y) <= sidePx / 2;
}
