import { afterEach, describe, expect, it } from 'vitest';
import { benchPage } from '../../../src/cli/page-bench';
import { lodSubset } from '../../../src/renderer/scene/lod';

describe('page bench', () => {
  const saved = process.env.LATENTSCAPE_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) delete process.env.LATENTSCAPE_CHROMIUM;
    else process.env.LATENTSCAPE_CHROMIUM = saved;
  });

  it('without Chromium, reports null figures and the reason instead of failing', async () => {
    process.env.LATENTSCAPE_CHROMIUM = '/nonexistent/chromium-for-the-test';
    const report = await benchPage();
    expect(report.page_fps_1m).toBeNull();
    expect(report.page_pick_ms_1m).toBeNull();
    expect(report.page_fps_mosaic_70k).toBeNull();
    expect(String(report.page_bench_skipped)).toMatch(/no Chromium at \/nonexistent\/chromium-for-the-test/);
  });
});

describe('level-of-detail subset', () => {
  it('is a fixed set of distinct indices in ascending order', () => {
    const a = lodSubset(1_000_000, 20_000);
    expect(a.length).toBe(20_000);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(a[a.length - 1]).toBeLessThan(1_000_000);
    // Spread over the whole cloud, and the same every time.
    expect(a[0]).toBeLessThan(1000);
    expect(a[a.length - 1]).toBeGreaterThan(999_000);
    expect(Array.from(lodSubset(1_000_000, 20_000).subarray(0, 50))).toEqual(Array.from(a.subarray(0, 50)));
    expect(Array.from(lodSubset(10, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
