import { describe, expect, it } from 'vitest';
import type { Images } from '../../../shared/contract';
import {
  MAP_GRID,
  MAP_MAX_LEVEL,
  MAP_TARGET_PX,
  composeTile,
  mapSquare,
  tileLevel,
  tileRect,
  tileSpots,
  tilesForView,
  visibleRect,
  visibleTiles,
} from './map-tiles';

const square = { x0: -2, y0: -2, side: 4 };
/** Looking straight at the plane from `distance`, 800 × 800 CSS px at 50°. */
const viewAt = (distance: number, target: [number, number, number] = [0, 0, 0]) => ({ target, distance, widthPx: 800, heightPx: 800, fovDeg: 50 });

describe('decoded map tiles', () => {
  it('a square around the points with a margin', () => {
    const view = Float32Array.of(0, 0, 0, 2, 1, 0, 1, -1, 5);
    const s = mapSquare(view, 3);
    expect(s.side).toBeCloseTo(2.2, 9);
    expect(s.x0 + s.side / 2).toBeCloseTo(1, 9);
    expect(s.y0 + s.side / 2).toBeCloseTo(0, 9);
  });

  it('zooming in by two asks for the next level, up to the finest', () => {
    // Level 0 while one decoded image (side / grid view units) is at most MAP_TARGET_PX wide.
    const px0 = (MAP_TARGET_PX * MAP_GRID) / square.side;
    expect(tileLevel(square.side, px0)).toBe(0);
    expect(tileLevel(square.side, px0 * 1.01)).toBe(1);
    expect(tileLevel(square.side, px0 * 2)).toBe(1);
    expect(tileLevel(square.side, px0 * 2.01)).toBe(2);
    expect(tileLevel(square.side, px0 * 1e6)).toBe(MAP_MAX_LEVEL);
    // Through the camera: half the distance, twice the pixels per unit, one level finer.
    const far = tileLevel(square.side, visibleRect(viewAt(8)).pxPerUnit);
    const near = tileLevel(square.side, visibleRect(viewAt(4)).pxPerUnit);
    expect(near).toBe(far + 1);
  });

  it('a tile is cut into its four children at the next level', () => {
    const parent = tileRect(square, 1, 1, 0);
    expect(parent).toMatchObject({ x0: 0, y0: -2, x1: 2, y1: 0 });
    const children = [0, 1].flatMap((dy) => [0, 1].map((dx) => tileRect(square, 2, 2 + dx, dy)));
    const area = children.reduce((a, c) => a + (c.x1 - c.x0) * (c.y1 - c.y0), 0);
    expect(area).toBeCloseTo((parent.x1 - parent.x0) * (parent.y1 - parent.y0), 9);
    for (const c of children) {
      expect(c.x0).toBeGreaterThanOrEqual(parent.x0);
      expect(c.x1).toBeLessThanOrEqual(parent.x1);
      expect(c.y0).toBeGreaterThanOrEqual(parent.y0);
      expect(c.y1).toBeLessThanOrEqual(parent.y1);
    }
  });

  it('only the tiles in sight are asked for, the middle first', () => {
    // Level 2 (4 × 4 tiles of side 1); a rect over x 0.2…1.8, y −0.5…0.5 touches tiles x 2…3, y 1…2.
    const tiles = visibleTiles(square, 2, { x0: 0.2, y0: -0.5, x1: 1.8, y1: 0.5 });
    expect(tiles.map((t) => `${t.tx},${t.ty}`).sort()).toEqual(['2,1', '2,2', '3,1', '3,2']);
    expect(visibleTiles(square, 2, { x0: 5, y0: 5, x1: 6, y1: 6 })).toEqual([]);
    // The cap keeps the tiles nearest the middle of the view.
    const capped = visibleTiles(square, 3, { x0: -2, y0: -2, x1: 2, y1: 2 }, 4);
    expect(capped.map((t) => `${t.tx},${t.ty}`).sort()).toEqual(['3,3', '3,4', '4,3', '4,4']);
  });

  it('coarse first: a view lists level 0, then each finer level in sight', () => {
    const tiles = tilesForView(square, viewAt(1));
    const levels = tiles.map((t) => t.level);
    expect(levels[0]).toBe(0);
    expect([...levels].sort((a, b) => a - b)).toEqual(levels);
    expect(Math.max(...levels)).toBeGreaterThan(0);
    // Zoomed in, the finest tiles are smaller than the view; zoomed out, level 0 alone.
    expect(tilesForView(square, viewAt(100)).map((t) => t.level)).toEqual([0]);
  });

  it('a tile decodes its cell centres on z = 0, row by row from the top', () => {
    const spots = tileSpots({ level: 0, tx: 0, ty: 0, x0: 0, y0: 0, x1: 4, y1: 4 }, 4);
    expect(spots).toHaveLength(16);
    expect(spots[0]).toEqual([0.5, 3.5, 0]);
    expect(spots[3]).toEqual([3.5, 3.5, 0]);
    expect(spots[15]).toEqual([3.5, 0.5, 0]);
  });

  it('stitches a batch of images into tiles', () => {
    // Six 1 × 2 gray images; a 2 × 2 tile from images 2…5.
    const images: Images = { count: 6, height: 1, width: 2, channels: 1, pixels: Uint8Array.from({ length: 12 }, (_, i) => i) };
    const t = composeTile(images, 2, 2);
    expect(t).toMatchObject({ width: 4, height: 2, channels: 1 });
    expect(Array.from(t.pixels)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
