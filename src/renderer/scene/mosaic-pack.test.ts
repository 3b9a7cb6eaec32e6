import { describe, expect, it } from 'vitest';
import type { Atlas } from '../../shared/explorer-schemas';
import { gatherPage, layerShape, onThumbnail, packPageLayer, sameShape, type ThumbnailBuffers } from './mosaic-pack';

/** A page of `count` 2 px thumbnails in a 2-column grid, each pixel's channels (value, value + 1, value + 2) where value = 10·cell + pixel. */
function page(count: number, channels: 1 | 3): Atlas {
  const cols = 2;
  const thumb = 2;
  const rows = Math.ceil(count / cols);
  const pixels = new Uint8Array(rows * thumb * cols * thumb * channels);
  for (let y = 0; y < rows * thumb; y++)
    for (let x = 0; x < cols * thumb; x++) {
      const cell = Math.floor(y / thumb) * cols + Math.floor(x / thumb);
      const value = 10 * cell + (y % thumb) * thumb + (x % thumb);
      for (let c = 0; c < channels; c++) pixels[(y * cols * thumb + x) * channels + c] = value + c;
    }
  return { page: 0, first: 0, count, cols, rows, thumb, channels, pixels };
}

function buffers(capacity: number): ThumbnailBuffers {
  return { position: new Float32Array(capacity * 3), positionTo: new Float32Array(capacity * 3), cell: new Float32Array(capacity * 3) };
}

/** n points on the x axis at x = 0, 1, 2, …. */
function line(n: number): Float32Array {
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) p[i * 3] = i;
  return p;
}

describe('mosaic packing', () => {
  it('sizes a layer for a full page, and tells pages of another shape apart', () => {
    const gray = layerShape(page(3, 1), 8);
    expect(gray).toEqual({ cols: 2, thumb: 2, channels: 1, width: 4, height: 8, texelBytes: 1 });
    expect(layerShape(page(3, 3), 8).texelBytes).toBe(4);
    expect(sameShape(gray, layerShape(page(8, 1), 8))).toBe(true);
    expect(sameShape(gray, layerShape(page(3, 3), 8))).toBe(false);
    expect(sameShape(gray, layerShape({ cols: 2, thumb: 3, channels: 1 }, 8))).toBe(false);
  });

  it('lays a gray page into its layer as it is, and zeroes the rows a short page leaves', () => {
    const shape = layerShape(page(8, 1), 8);
    const layerBytes = shape.width * shape.height;
    const data = new Uint8Array(layerBytes * 3).fill(99);
    packPageLayer(data, 1, shape, page(3, 1));
    // Layers 0 and 2 are untouched.
    expect(data.subarray(0, layerBytes).every((v) => v === 99)).toBe(true);
    expect(data.subarray(2 * layerBytes).every((v) => v === 99)).toBe(true);
    const layer = data.subarray(layerBytes, 2 * layerBytes);
    // Cell 2 (row 1, column 0), pixel (1, 1): 10·2 + 3, at y = 3, x = 1 of a 4 px wide layer.
    expect(layer[3 * 4 + 1]).toBe(23);
    expect(layer[0]).toBe(0);
    // Three cells take two rows of cells (4 pixel rows); the other 4 pixel rows are zero, not 99.
    expect(layer.subarray(4 * 4).every((v) => v === 0)).toBe(true);
  });

  it('widens a colour page to opaque RGBA', () => {
    const shape = layerShape(page(2, 3), 2);
    const data = new Uint8Array(shape.width * shape.height * 4);
    packPageLayer(data, 0, shape, page(2, 3));
    // Cell 1, pixel (0, 1): value 10 + 1 at x = 3, y = 0.
    expect([...data.subarray(3 * 4, 3 * 4 + 4)]).toEqual([11, 12, 13, 255]);
  });

  it('gathers the points within reach that are not hidden, with their cell and layer, and counts those within the shown radius', () => {
    const to = line(10);
    const from = to.map((v) => v + 100);
    const hidden = new Uint8Array(10);
    hidden[3] = 1;
    const out = buffers(16);
    // Points 2…7 of the page's 8 (first 2), from x = 5: within 2.5 are x = 3…7 but 3 is hidden.
    const got = gatherPage(out, 1, { first: 2, count: 6, layer: 5 }, 4, from, to, hidden, [5, 0, 0], 2.5, 1.5);
    expect(got.next).toBe(5);
    // x = 4, 5, 6 lie within 1.5.
    expect(got.within).toBe(3);
    expect([...out.positionTo.filter((_, k) => k % 3 === 0).subarray(1, 5)]).toEqual([4, 5, 6, 7]);
    expect(out.position[1 * 3]).toBe(104);
    // x = 4 is the page's point n = 2 (first 2): column 2, row 0; x = 6 is n = 4: column 0, row 1.
    expect([...out.cell.subarray(3, 6)]).toEqual([2, 0, 5]);
    expect([...out.cell.subarray(9, 12)]).toEqual([0, 1, 5]);
    // Vertex 0 (before `start`) is left alone.
    expect(out.positionTo[0]).toBe(0);
  });

  it('stops at the buffers’ capacity', () => {
    const to = line(10);
    const got = gatherPage(buffers(3), 0, { first: 0, count: 10, layer: 0 }, 4, to, to, null, [0, 0, 0], 100, 100);
    expect(got.next).toBe(3);
  });

  it('a press anywhere on a thumbnail’s square lands on it, not only near its centre', () => {
    const centre = { x: 100, y: 50 };
    expect(onThumbnail({ x: 100, y: 50 }, centre, 40)).toBe(true);
    // A corner of a 40 px square: 28 px from the centre, well beyond a dot's few pixels.
    expect(onThumbnail({ x: 119, y: 69 }, centre, 40)).toBe(true);
    expect(onThumbnail({ x: 121, y: 50 }, centre, 40)).toBe(false);
    expect(onThumbnail({ x: 100, y: 29 }, centre, 40)).toBe(false);
    // Drawn as a dot (side 0), or behind the camera: never.
    expect(onThumbnail(centre, centre, 0)).toBe(false);
    expect(onThumbnail(centre, null, 40)).toBe(false);
  });
});
