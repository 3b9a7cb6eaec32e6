/**
 * first_view_ms: a fresh serve and the built renderer in Chromium until the default model's cloud is on
 * the canvas. One real run where Chromium is (the renderer is built into a temp dir for it); the reason
 * instead of a number where the renderer or Chromium is missing. No timing is asserted.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { rendererConfig } from '../../../electron.vite.config';
import { benchFirstView, firstViewUnavailable } from '../../../src/cli/first-view-bench';
import { START_STEPS } from '../../../src/shared/start-marks';

const saved = { chromium: process.env.LATENTSCAPE_CHROMIUM, renderer: process.env.LATENTSCAPE_RENDERER_DIR };
afterEach(() => {
  for (const [key, value] of [
    ['LATENTSCAPE_CHROMIUM', saved.chromium],
    ['LATENTSCAPE_RENDERER_DIR', saved.renderer],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const chromium = process.env.LATENTSCAPE_CHROMIUM || '/usr/bin/chromium';
const haveChromium = existsSync(chromium);

describe('first_view_ms', () => {
  it('without a built renderer, gives the reason instead of a number', async () => {
    process.env.LATENTSCAPE_RENDERER_DIR = '/nonexistent/renderer-for-the-test';
    const report = await benchFirstView();
    expect(report.first_view_ms).toBeNull();
    expect(report.serve_listening_ms).toBeNull();
    expect(report.first_view_skipped).toMatch(/^no built renderer at \/nonexistent\/renderer-for-the-test/);
  });

  it('without Chromium, gives the reason', () => {
    const here = mkdtempSync(join(tmpdir(), 'latentscape-first-view-test-'));
    try {
      expect(firstViewUnavailable(here, '/nonexistent/chromium')).toMatch(/^no built renderer at /);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
    expect(firstViewUnavailable(join(process.cwd(), 'src', 'renderer'), '/nonexistent/chromium')).toBe(
      'no Chromium at /nonexistent/chromium (set LATENTSCAPE_CHROMIUM)',
    );
  });

  it.skipIf(!haveChromium)(`times serve and the first cloud in Chromium${haveChromium ? '' : ` (skipped: no Chromium at ${chromium})`}`, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'latentscape-first-view-renderer-'));
    try {
      await build({ ...(rendererConfig as object), configFile: false, logLevel: 'warn', build: { ...rendererConfig.build, outDir } });
      process.env.LATENTSCAPE_RENDERER_DIR = outDir;
      const report = await benchFirstView();
      expect(report.first_view_skipped).toBeUndefined();
      expect(report.first_view_ms).toBeGreaterThan(0);
      expect(report.serve_listening_ms).toBeGreaterThan(0);
      // The default model's points (MNIST's 70,000) reached the canvas.
      expect(report.first_view_points).toBe(70_000);
      expect(report.first_view_load_before).toHaveLength(3);
      // The time is the page's own mark of the frame after its first frame of points (after the other
      // start steps), or its first contentful paint where that was later.
      const marks = report.first_view_marks as Record<string, number>;
      expect(Object.keys(marks).sort()).toEqual([...START_STEPS].sort());
      for (const step of START_STEPS) expect(marks[step]).toBeLessThanOrEqual(marks['cloud-shown']);
      expect(marks['first-cloud']).toBeLessThan(marks['cloud-shown']);
      expect(report.first_view_fcp_ms).toBeGreaterThan(0);
      expect(report.first_view_ms).toBe(Math.max(marks['cloud-shown'], report.first_view_fcp_ms as number));
      expect(['cloud-shown mark', 'first contentful paint']).toContain(report.first_view_from);
      expect(marks.embeddings).toBeLessThanOrEqual(marks.layout);
      expect(report.launch_to_cloud_ms).toBeGreaterThan(report.first_view_ms as number);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
