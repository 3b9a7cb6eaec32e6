import { describe, expect, it } from 'vitest';
import { lodSubset } from './lod';
import {
  MOSAIC_MIN_PX,
  defaultThumbnailSize,
  drawsThumbnail,
  kthSmallest,
  pagesWithin,
  pixelsPerUnit,
  thumbnailPixels,
  thumbnailRadius,
  thumbnailReach,
} from './mosaic-lod';

/** n points on the x axis at x = 0, 1, 2, … (the camera at the origin sees them at distance i). */
function line(n: number): Float32Array {
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) p[i * 3] = i;
  return p;
}

describe('mosaic level of detail', () => {
  it('draws about the budget nearest points as thumbnails, estimated on a sample', () => {
    const n = 100_000;
    const positions = line(n);
    const sample = lodSubset(n, 4096, 777);
    const r = thumbnailRadius(positions, n, [0, 0, 0], 4000, sample);
    // The 4,000th nearest point is at distance 3,999; a 4,096-point sample estimates it within a few %.
    expect(r).toBeGreaterThan(3999 * 0.9);
    expect(r).toBeLessThan(3999 * 1.1);
    // From the far end, the nearest are the last points.
    const far = thumbnailRadius(positions, n, [n - 1, 0, 0], 4000, sample);
    expect(far).toBeGreaterThan(3600);
    expect(far).toBeLessThan(4400);
  });

  it('draws every point when the budget covers them, none for a budget of 0', () => {
    const positions = line(50);
    const sample = lodSubset(50, 50);
    expect(thumbnailRadius(positions, 50, [0, 0, 0], 50, sample)).toBe(Infinity);
    expect(thumbnailRadius(positions, 50, [0, 0, 0], 0, sample)).toBe(0);
  });

  it('a thumbnail halves on screen at twice the distance, and is left a dot below the minimum size', () => {
    const k = pixelsPerUnit(800, 50);
    // 800 px tall at 50°: a unit at depth 1 spans 800 / (2 tan 25°) ≈ 857.8 px.
    expect(k).toBeCloseTo(857.8, 0);
    const near = thumbnailPixels(0.05, 2, k);
    expect(thumbnailPixels(0.05, 4, k)).toBeCloseTo(near / 2, 9);
    expect(thumbnailPixels(0.05, -1, k)).toBe(0);
    const reach = thumbnailReach(0.05, k);
    expect(thumbnailPixels(0.05, reach, k)).toBeCloseTo(MOSAIC_MIN_PX, 9);
    expect(drawsThumbnail(1, thumbnailPixels(0.05, reach * 0.99, k), 10)).toBe(true);
    expect(drawsThumbnail(1, thumbnailPixels(0.05, reach * 1.01, k), 10)).toBe(false);
    // Beyond the budget's radius, a big thumbnail is still a dot.
    expect(drawsThumbnail(11, 50, 10)).toBe(false);
  });

  it('fetches only the atlas pages holding points within reach, nearest first, at most maxPages', () => {
    const n = 10_000;
    const positions = line(n);
    // Pages of 1,024: points 0…1023 are page 0. Within 2,500 of x = 5,000: points 2,500…7,500, pages 2…7.
    const { pages, within } = pagesWithin(positions, n, [5000, 0, 0], 2500, 1024, 64);
    expect([...pages].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(pages[0]).toBe(4);
    // Points of those pages within the radius: 2,500 … 7,500.
    expect(within).toBe(5001);
    const capped = pagesWithin(positions, n, [5000, 0, 0], 2500, 1024, 2);
    expect(capped.pages).toEqual([4, 5]);
    expect(pagesWithin(positions, n, [-100, 0, 0], 50, 1024, 64).pages).toEqual([]);
  });

  it('the default size shrinks with the square root of the count', () => {
    expect(defaultThumbnailSize(2, 40_000) / defaultThumbnailSize(2, 10_000)).toBeCloseTo(0.5, 9);
    expect(defaultThumbnailSize(4, 10_000) / defaultThumbnailSize(2, 10_000)).toBeCloseTo(2, 9);
  });

  it('selects the k-th smallest value as a sort would, duplicates and all', () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (const n of [1, 2, 5, 64, 1000]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(next() * 20));
      const sorted = [...values].sort((a, b) => a - b);
      for (const k of [0, Math.floor(n / 3), n - 1]) expect(kthSmallest(values.slice(), n, k)).toBe(sorted[k]);
    }
    // Only the first n entries count.
    expect(kthSmallest(Float64Array.from([5, 4, 3, 0, 0]), 3, 0)).toBe(3);
  });
});
