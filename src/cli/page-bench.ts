/**
 * page_fps_1m, page_pick_ms_1m and page_fps_mosaic_70k for `latentscape bench`: the renderer's own stage, point cloud
 * and picking (src/renderer/bench/page-bench.ts, bundled here with Vite) in Chromium with
 * SwiftShader software WebGL (the flags of playwright.config.ts), on 1,000,000 synthetic points.
 * The frame rate is measured with level of detail (the app's default) and without it (the
 * reference, in the same run). The mosaic's figure is 70,000 points, each drawn as a thumbnail where
 * the level of detail allows, orbited from close by (synthetic atlas pages). Chromium, Playwright and Vite are development tools: where one is
 * missing the fields are null and page_bench_skipped says why.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MosaicBenchResult, PageBenchResult } from '../renderer/bench/page-bench';

const POINTS = 1_000_000;
const MOSAIC_POINTS = 70_000;
const ORBIT_SECONDS = 5;
/** As in playwright.config.ts: WebGL through SwiftShader (software), so no --disable-gpu. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

type Report = Record<string, number | string | null>;

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

function skipped(reason: string): Report {
  return { page_fps_1m: null, page_pick_ms_1m: null, page_fps_mosaic_70k: null, page_bench_skipped: reason };
}

function chromiumPath(): string | null {
  const path = process.env.LATENTSCAPE_CHROMIUM || '/usr/bin/chromium';
  return existsSync(path) ? path : null;
}

async function bundle(): Promise<string> {
  const vite = await import('vite');
  const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer', 'bench', 'page-bench.ts');
  const out = await vite.build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry, formats: ['iife'], name: 'latentscapePageBenchBundle' } },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk' && o.code);
  if (!chunk?.code) throw new Error('the page bench bundle came out empty');
  return chunk.code;
}

export async function benchPage(progress: (stage: string) => void = () => {}): Promise<Report> {
  const executablePath = chromiumPath();
  if (!executablePath) return skipped(`no Chromium at ${process.env.LATENTSCAPE_CHROMIUM || '/usr/bin/chromium'} (set LATENTSCAPE_CHROMIUM)`);
  let chromium: typeof import('@playwright/test').chromium;
  let code: string;
  try {
    chromium = (await import('@playwright/test')).chromium;
    progress('page bench: bundling');
    code = await bundle();
  } catch (err) {
    return skipped(`the page bench needs the development tools (@playwright/test, vite): ${(err as Error).message.split('\n')[0]}`);
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: code });
    progress(`page bench: ${POINTS.toLocaleString()} points in Chromium`);
    const r = await page.evaluate(
      ([n, s]) => (window as unknown as { latentscapePageBench(n: number, s: number): Promise<PageBenchResult> }).latentscapePageBench(n, s),
      [POINTS, ORBIT_SECONDS] as const,
    );
    if (errors.length) throw new Error(errors[0]);
    progress(`page bench: the mosaic of ${MOSAIC_POINTS.toLocaleString()} thumbnails in Chromium`);
    const mosaicPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    mosaicPage.on('pageerror', (e) => errors.push(e.message));
    await mosaicPage.setContent('<!doctype html><html><body></body></html>');
    await mosaicPage.addScriptTag({ content: code });
    const m = await mosaicPage.evaluate(
      ([n, s]) => (window as unknown as { latentscapeMosaicBench(n: number, s: number): Promise<MosaicBenchResult> }).latentscapeMosaicBench(n, s),
      [MOSAIC_POINTS, ORBIT_SECONDS] as const,
    );
    if (errors.length) throw new Error(errors[0]);
    return {
      page_fps_mosaic_70k: round(m.fps, 2),
      page_fps_mosaic_70k_frames: m.frames,
      page_mosaic_70k_thumbnails_mean: round(m.thumbnails_mean, 0),
      page_mosaic_70k_textures: m.textures,
      page_fps_1m: round(r.fps_lod, 2),
      page_fps_1m_no_lod: round(r.fps_full, 2),
      page_fps_empty_scene: round(r.fps_empty, 2),
      page_fps_1m_lod_speedup: r.fps_full > 0 ? round(r.fps_lod / r.fps_full, 2) : null,
      page_fps_1m_frames: r.frames_lod,
      page_fps_1m_lod_subset_frames: r.lod_frames_drawn_as_subset,
      page_pick_ms_1m: round(r.pick_ms_mean, 4),
      page_pick_ms_1m_p95: round(r.pick_ms_p95, 4),
      page_pick_1m_hits: `${r.picks_hit}/${r.picks}`,
      page_index_ms_1m: round(r.index_ms, 1),
      page_renderer: r.renderer,
    };
  } catch (err) {
    return skipped(`the page bench failed in Chromium: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    await browser?.close();
  }
}
