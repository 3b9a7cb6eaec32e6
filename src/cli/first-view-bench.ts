/**
 * first_view_ms for `latentscape bench`: a fresh `latentscape serve` (a temp data dir, so the default
 * model opens as on a first start) and the built renderer (out/renderer) in headless Chromium. Three
 * times: launch → serve printed its URL (`serve_listening_ms`), and navigation start → the cloud on
 * screen (`first_view_ms`); and `launch_to_cloud_ms`, serve's launch → the cloud on screen (the
 * user's whole wait, the browser's own start included).
 *
 * "On screen": the renderer's `latentscape:cloud-shown` mark, set at the start of the animation frame
 * after the first one that draws points (src/shared/start-marks.ts says why not that frame's own
 * `first-cloud` mark); the page's other start marks come back as `first_view_marks`, its first
 * contentful paint as `first_view_fcp_ms` (first-view-marks.ts). Older renderers are timed as they
 * were: by their first-cloud mark, or two animation frames after their point count showed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CLOUD_SHOWN_MARK, START_MARK_PREFIX } from '../shared/start-marks';
import { engineLaunch } from '../service/node-engine';
import { firstViewOf, type FirstViewSample } from './first-view-marks';

const REPO = fileURLToPath(new URL(['..', '..', ''].join('/'), import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking'];

/** What cloudOnScreen sees of the page: this file is Node code, with no DOM types or globals. */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null };
  requestAnimationFrame(callback: () => void): number;
  performance: { now(): number; getEntriesByType(type: 'mark' | 'paint'): { name: string; startTime: number }[] };
}

/** The marks cloudOnScreen reads (arguments: the app's CSP forbids evaluating strings in the page). */
interface MarkNames {
  prefix: string;
  shown: string;
}

/**
 * Runs in the page. Null until the canvas has points; then, two animation frames later, and once the
 * cloud-shown mark is set (a few frames at most; 120 where a renderer never sets it), the time since the
 * navigation started, the start marks and the first contentful paint.
 */
const cloudOnScreen = (names: MarkNames): null | Promise<FirstViewSample> => {
  // No named functions in here: the bench runs under tsx, whose keepNames would wrap them in a helper
  // that the page does not have.
  const page = globalThis as unknown as PageGlobals;
  const points = Number(page.document.querySelector('[data-testid="point-count"]')?.textContent ?? 0);
  if (!(points > 0)) return null;
  return (async (): Promise<FirstViewSample> => {
    for (let i = 0; i < 2; i++) await new Promise((resolve) => page.requestAnimationFrame(() => resolve(undefined)));
    const twoFramesAfterCountMs = page.performance.now();
    // The count can show a frame or two before the points are drawn: wait for the cloud-shown mark (a
    // renderer without it is timed as before, by the marks it has or the time taken above).
    for (let frames = 0; frames < 120; frames++) {
      if (page.performance.getEntriesByType('mark').some((m) => m.name === names.shown)) break;
      await new Promise((resolve) => page.requestAnimationFrame(() => resolve(undefined)));
    }
    // Chromium reports the first contentful paint once the GPU says the frame was presented, which can
    // come after the next frame has started: wait for it too (first-view-marks.ts uses the later time).
    for (let frames = 0; frames < 60; frames++) {
      if (page.performance.getEntriesByType('paint').some((p) => p.name === 'first-contentful-paint')) break;
      await new Promise((resolve) => page.requestAnimationFrame(() => resolve(undefined)));
    }
    const marks = page.performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith(names.prefix))
      .map((m) => ({ name: m.name, startTime: m.startTime }));
    const fcp = page.performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
    return { twoFramesAfterCountMs, points, marks, firstContentfulPaintMs: fcp ? fcp.startTime : null };
  })();
};

export type FirstViewReport = Record<string, number | string | null | number[] | Record<string, number>>;

const loads = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

function skipped(reason: string): FirstViewReport {
  return { first_view_ms: null, serve_listening_ms: null, first_view_skipped: reason };
}

/** Why first_view_ms cannot be measured here, or null where it can. */
export function firstViewUnavailable(rendererDir: string, chromium: string): string | null {
  if (!existsSync(join(rendererDir, 'index.html')))
    return `no built renderer at ${rendererDir} (build it with \`npm run build\`, or set LATENTSCAPE_RENDERER_DIR)`;
  if (!existsSync(chromium)) return `no Chromium at ${chromium} (set LATENTSCAPE_CHROMIUM)`;
  return null;
}

async function startServe(dataDir: string, rendererDir: string, timeoutMs: number): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'latentscape.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--json', '--data-dir', dataDir, '--allow', dataDir],
    {
      env: { ...process.env, LATENTSCAPE_RENDERER_DIR: rendererDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not print its URL within ${timeoutMs / 1000} s`)), timeoutMs);
      child.once('exit', (code) => reject(new Error(`serve exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(String((JSON.parse(line) as { url: string }).url));
        } catch {
          reject(new Error(`serve printed something other than JSON: ${line.slice(0, 200)}`));
        }
      });
    });
    return { child, url, ms: performance.now() - started };
  } catch (err) {
    await stopServe(child);
    throw err;
  }
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One measurement: a fresh serve and a fresh browser. */
export async function benchFirstView(options: { timeoutMs?: number } = {}): Promise<FirstViewReport> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const rendererDir = process.env.LATENTSCAPE_RENDERER_DIR ?? join(REPO, 'out', 'renderer');
  const executablePath = process.env.LATENTSCAPE_CHROMIUM || '/usr/bin/chromium';
  const why = firstViewUnavailable(rendererDir, executablePath);
  if (why) return skipped(why);
  let chromium: typeof import('@playwright/test').chromium;
  try {
    chromium = (await import('@playwright/test')).chromium;
  } catch (err) {
    return skipped(`first_view_ms needs @playwright/test (a development tool): ${(err as Error).message.split('\n')[0]}`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'latentscape-first-view-'));
  const load_before = loads();
  let serve: ChildProcess | null = null;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  try {
    // Which engine serve forks: the built one, or the TypeScript one through tsx where the build is
    // missing or older than its sources (half a second more).
    const engine = relative(REPO, engineLaunch().entry);
    const launched = performance.now();
    const started = await startServe(dataDir, rendererDir, timeoutMs);
    serve = started.child;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The page's clock starts when it navigates: from here on, its marks count.
    const navigated = performance.now() - launched;
    await page.goto(started.url);
    const marks: MarkNames = { prefix: START_MARK_PREFIX, shown: CLOUD_SHOWN_MARK };
    const handle = await page.waitForFunction(cloudOnScreen, marks, { timeout: timeoutMs, polling: 20 });
    const sample = (await handle.jsonValue()) as FirstViewSample;
    if (errors.length) throw new Error(errors[0]);
    const view = firstViewOf(sample);
    return {
      ...view,
      launch_to_cloud_ms: Math.round(navigated + view.first_view_ms),
      first_view_engine: engine,
      first_view_points: sample.points,
      serve_listening_ms: Math.round(started.ms),
      first_view_load_before: load_before,
      first_view_load_after: loads(),
      first_view_cores: availableParallelism(),
    };
  } catch (err) {
    return skipped(`first_view_ms failed: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    await browser?.close();
    if (serve) await stopServe(serve);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
