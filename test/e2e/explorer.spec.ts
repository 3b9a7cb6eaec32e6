/**
 * The 3D latent explorer in Chromium against `latentscape serve`:
 *  - first start (a serve of its own, fresh data dir): the default MNIST model's cloud and legend;
 *  - a clicked point shows its reconstruction, two empty spots two different images, and every
 *    image shown equals the engine's decode of the z the page reports (read back pixel by pixel);
 *  - dragging the cursor: decoded images per second (reported, no timing assertion);
 *  - training from the UI on a 2,000-image subset (d = 20): the loss curve is drawn and the points
 *    move; then with PCA a clicked spot p decodes decode(mean + V·p), checked against the service's
 *    projection; UMAP's approximate inverse decodes what the page reports.
 * Numbers go to the report as annotations and attachments.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import WebSocket from 'ws';
import type { Projection, Status } from '../../src/shared/contract';
import { DensityView } from '../../src/shared/latent-density';
import { unproject } from '../../src/shared/projection';
import { decodeFrame, encodeFrame } from '../../src/shared/wire';
import { ownServe } from './own-serve';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

const sharedUrl = (): string => {
  const u = process.env.LATENTSCAPE_E2E_URL;
  if (!u) throw new Error('LATENTSCAPE_E2E_URL is not set: run through playwright.config.ts (its global setup starts serve)');
  return u;
};

/** One call to the app over the serve host's WebSocket, from Node (the same frames the page sends). */
async function callService<T>(pageUrl: string, method: string, args: unknown): Promise<T> {
  const u = new URL(pageUrl);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise<T>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const m = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) as {
          kind: string;
          id?: number;
          ok?: boolean;
          value?: T;
          error?: { message: string };
        };
        if (m.kind !== 'result' || m.id !== 1) return;
        if (m.ok) resolve(m.value as T);
        else reject(new Error(m.error?.message));
      });
      ws.send(encodeFrame({ kind: 'call', id: 1, method, args }));
    });
  } finally {
    ws.close();
  }
}

interface Shown {
  z: number[];
  view: number[] | null;
  source: string;
  pixels: number[];
  seq: number;
}

/** The decoded image as the page shows it: its pixels (read from the canvas), the z and view position it reports, and its caption. */
async function shown(page: Page): Promise<Shown> {
  return page.getByTestId('decoded-image').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const pixels: number[] = [];
    for (let i = 0; i < data.length; i += 4) pixels.push(data[i]);
    return {
      z: JSON.parse(canvas.dataset.z || '[]'),
      view: canvas.dataset.view ? JSON.parse(canvas.dataset.view) : null,
      source: document.querySelector('[data-testid="decoded-source"]')?.textContent ?? '',
      pixels,
      seq: Number(canvas.dataset.seq),
    };
  });
}

/** Asks the engine to decode the z the page reports and compares the images pixel by pixel. */
async function expectShownIsDecodeOfZ(page: Page, url: string): Promise<Shown> {
  const s = await shown(page);
  expect(s.z.length).toBeGreaterThan(0);
  const images = await callService<{ pixels: Uint8Array; width: number; height: number; channels: number }>(url, 'decode', { z: Float32Array.from(s.z) });
  const expected = Array.from({ length: images.width * images.height }, (_, i) => images.pixels[i * images.channels]);
  const different = expected.reduce((n, v, i) => n + (v !== s.pixels[i] ? 1 : 0), 0);
  expect(different, `pixels of the shown image that differ from decode(z)`).toBe(0);
  return s;
}

async function watchProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return problems;
}

function report(testInfo: TestInfo, type: string, description: string): void {
  testInfo.annotations.push({ type, description });
  process.stdout.write(`[e2e] ${type}: ${description}\n`);
}

/** A screenshot kept in the test's output folder (test-results/…) and attached to the report. */
async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** The canvas's box, and a spot of it by fractions of its size. */
async function canvasSpot(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

/** Moves the pointer over the cloud until it hovers a point; returns where. */
async function findPoint(page: Page): Promise<{ x: number; y: number }> {
  for (const [fx, fy] of [
    [0.5, 0.5],
    [0.48, 0.52],
    [0.52, 0.47],
    [0.45, 0.45],
    [0.55, 0.55],
    [0.5, 0.4],
    [0.5, 0.6],
  ]) {
    const p = await canvasSpot(page, fx, fy);
    await page.mouse.move(p.x, p.y);
    const card = page.getByTestId('hover-card');
    if (await card.isVisible({ timeout: 1500 }).catch(() => false)) return p;
  }
  throw new Error('no point found under the pointer near the middle of the view');
}

/** Spots of the view likely to be empty (outside the framed cloud's bulk), in two groups far apart. */
const SPOTS_A: [number, number][] = [
  [0.1, 0.88],
  [0.08, 0.7],
  [0.15, 0.95],
];
const SPOTS_B: [number, number][] = [
  [0.9, 0.9],
  [0.92, 0.7],
  [0.85, 0.95],
];

/** Clicks a spot with no point under it (the first of `spots` that hovers nothing) and waits for its image. */
async function clickEmptySpot(page: Page, ...spots: [number, number][]): Promise<{ x: number; y: number }> {
  for (const [fx, fy] of spots) {
    const p = await canvasSpot(page, fx, fy);
    await page.mouse.move(p.x, p.y);
    await page.waitForTimeout(150);
    if (await page.getByTestId('hover-card').isVisible()) continue;
    const before = Number(await page.getByTestId('decoded-image').getAttribute('data-seq'));
    await page.mouse.click(p.x, p.y);
    await expect.poll(async () => Number(await page.getByTestId('decoded-image').getAttribute('data-seq'))).toBeGreaterThan(before);
    await expect(page.getByTestId('decoded-source')).toHaveText(/^Spot/);
    return p;
  }
  throw new Error('every candidate spot had a point under it');
}

test.describe('first start', () => {
  // A first start of its own: a fresh data dir, the default model in resources/default-model.
  const served = ownServe('first');

  test('the default MNIST model opens trained: ≥ 60,000 points and a legend of 10 labels', async ({ page }, testInfo) => {
    const problems = await watchProblems(page);
    const started = performance.now();
    await page.goto(served.url);
    await expect
      .poll(async () => Number(await page.getByTestId('point-count').textContent()), { timeout: 60_000, intervals: [50] })
      .toBeGreaterThanOrEqual(60_000);
    const cloudMs = performance.now() - started;
    await expect(page.getByTestId('legend').locator(':scope > *')).toHaveCount(10);
    const legendMs = performance.now() - started;
    await expect(page.getByTestId('model-info')).toContainText('default model');
    await expect(page.getByTestId('view-kind')).toHaveText('latent space');
    report(
      testInfo,
      'first_start',
      `${await page.getByTestId('point-count').textContent()} points on screen ${cloudMs.toFixed(0)} ms after page load, legend of 10 labels at ${legendMs.toFixed(0)} ms (a fresh serve printed its URL ${served.launchMs.toFixed(0)} ms after launch)`,
    );
    await testInfo.attach('first-start.json', {
      body: JSON.stringify({ cloud_ms_after_page_load: cloudMs, legend_ms_after_page_load: legendMs, serve_url_ms_after_launch: served.launchMs }, null, 2),
      contentType: 'application/json',
    });
    await page.waitForTimeout(300);
    await screenshot(page, testInfo, 'first-start.png');
    // Coloured by reconstruction error (measured once per model; the default model ships them).
    await page.getByTestId('color-recon').click();
    await expect(page.getByTestId('legend-scale')).toContainText('≥', { timeout: 60_000 });
    await screenshot(page, testInfo, 'colour-by-recon.png');
    await page.getByTestId('color-label').click();
    expect(problems).toEqual([]);
  });

  test('a clicked point shows its reconstruction; two empty spots give two different images; each is decode(z)', async ({ page }, testInfo) => {
    const problems = await watchProblems(page);
    await page.goto(served.url);
    await expect.poll(async () => Number(await page.getByTestId('point-count').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(60_000);

    // A data point: original and reconstruction side by side.
    const p = await findPoint(page);
    const hovered = Number((await page.getByTestId('hover-index').textContent())?.replace('#', ''));
    await page.mouse.click(p.x, p.y);
    await expect(page.getByTestId('decoded-source')).toHaveText(`Image #${hovered}`);
    await expect(page.getByTestId('reconstruction-pair')).toBeVisible();
    await expect(page.getByTestId('nearest').locator('button')).toHaveCount(8);
    const point = await expectShownIsDecodeOfZ(page, served.url);
    await screenshot(page, testInfo, 'clicked-point.png');

    // Two empty spots.
    await clickEmptySpot(page, ...SPOTS_A);
    const a = await expectShownIsDecodeOfZ(page, served.url);
    await clickEmptySpot(page, ...SPOTS_B);
    const b = await expectShownIsDecodeOfZ(page, served.url);
    expect(a.z).not.toEqual(b.z);
    const differing = a.pixels.reduce((n, v, i) => n + (v !== b.pixels[i] ? 1 : 0), 0);
    expect(differing, 'pixels that differ between the two spots’ images').toBeGreaterThan(20);
    expect(point.source).toMatch(/^Image #\d+$/);
    // d = 3, identity view: the decoded latent is the clicked view position itself.
    for (let k = 0; k < 3; k++) expect(Math.abs(b.z[k] - b.view![k])).toBeLessThan(1e-5);
    report(
      testInfo,
      'spots',
      `point #${hovered} z=[${point.z.map((v) => v.toFixed(3))}]; spot A z=[${a.z.map((v) => v.toFixed(3))}]; spot B z=[${b.z.map((v) => v.toFixed(3))}]; ${differing} of ${a.pixels.length} pixels differ`,
    );
    await screenshot(page, testInfo, 'empty-spot.png');
    expect(problems).toEqual([]);
  });

  test('dragging the 3D cursor decodes continuously (updates per second reported)', async ({ page }, testInfo) => {
    const problems = await watchProblems(page);
    await page.goto(served.url);
    await expect.poll(async () => Number(await page.getByTestId('point-count').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(60_000);
    // Put the cursor on an empty spot, then drag it from there.
    const start = await clickEmptySpot(page, [0.2, 0.85], ...SPOTS_A);
    const image = page.getByTestId('decoded-image');
    const countBefore = Number(await image.getAttribute('data-decode-count'));
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    const began = performance.now();
    let moves = 0;
    while (performance.now() - began < 3000) {
      const t = (performance.now() - began) / 3000;
      await page.mouse.move(start.x + 260 * t, start.y - 420 * t + 40 * Math.sin(t * 12));
      moves++;
    }
    await page.mouse.up();
    const seconds = (performance.now() - began) / 1000;
    await page.waitForTimeout(300);
    const updates = Number(await image.getAttribute('data-decode-count')) - countBefore;
    const sent = Number(await image.getAttribute('data-decodes-sent'));
    const dropped = Number(await image.getAttribute('data-decodes-dropped'));
    const rate = updates / seconds;
    expect(updates).toBeGreaterThan(3);
    // What is shown at rest is the decode of what is reported.
    await expectShownIsDecodeOfZ(page, served.url);
    report(
      testInfo,
      'drag_decodes_per_s',
      `${rate.toFixed(1)} decoded updates/s while dragging (${updates} images in ${seconds.toFixed(2)} s, ${moves} pointer moves; requests sent ${sent}, dropped while pending ${dropped})`,
    );

    // The same drag from inside the page: pointer events every 16 ms (a 60 Hz mouse), without
    // Playwright's round trip per move; the page's frame rate is measured alongside.
    const inPage = await page.evaluate(
      async ({ x0, y0 }) => {
        const canvas = document.querySelector('[data-testid=latent-canvas]') as HTMLCanvasElement;
        const image = document.querySelector('[data-testid=decoded-image]') as HTMLCanvasElement;
        const fire = (type: string, x: number, y: number, buttons: number): boolean =>
          canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, buttons, button: 0, pointerId: 7, isPrimary: true, bubbles: true }));
        let frames = 0;
        let counting = true;
        const tick = (): void => {
          frames++;
          if (counting) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        const before = Number(image.dataset.decodeCount);
        fire('pointerdown', x0, y0, 1);
        const started = performance.now();
        let moves = 0;
        while (performance.now() - started < 3000) {
          const t = (performance.now() - started) / 3000;
          fire('pointermove', x0 - 200 * t, y0 - 300 * t + 30 * Math.sin(t * 10), 1);
          moves++;
          await new Promise((r) => setTimeout(r, 16));
        }
        fire('pointerup', x0 - 200, y0 - 300, 0);
        const seconds = (performance.now() - started) / 1000;
        await new Promise((r) => setTimeout(r, 300));
        counting = false;
        return { updates: Number(image.dataset.decodeCount) - before, seconds, moves, fps: frames / (seconds + 0.3) };
      },
      await page.getByTestId('cursor').evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x0: r.left + r.width / 2, y0: r.top + r.height / 2 };
      }),
    );
    expect(inPage.updates).toBeGreaterThan(3);
    await expectShownIsDecodeOfZ(page, served.url);
    const inPageRate = inPage.updates / inPage.seconds;
    report(
      testInfo,
      'drag_decodes_per_s_in_page',
      `${inPageRate.toFixed(1)} decoded updates/s with pointer events dispatched in the page every 16 ms (${inPage.updates} images in ${inPage.seconds.toFixed(2)} s, ${inPage.moves} moves; the page drew ${inPage.fps.toFixed(0)} frames/s)`,
    );
    await testInfo.attach('drag.json', {
      body: JSON.stringify(
        {
          playwright_mouse: { updates_per_s: rate, updates, seconds, pointer_moves: moves, sent, dropped },
          in_page_events: { updates_per_s: inPageRate, ...inPage },
        },
        null,
        2,
      ),
      contentType: 'application/json',
    });
    const pickMs = Number(await page.getByTestId('latent-canvas').getAttribute('data-pick-ms'));
    report(testInfo, 'pick_ms_70k', `last hover pick over 70,000 points took ${pickMs.toFixed(3)} ms in the page`);
    await screenshot(page, testInfo, 'dragged.png');
    expect(problems).toEqual([]);
  });
});

test('training from the UI on a 2,000-image subset (d = 20) draws the loss curve and moves the points; PCA and UMAP decode', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const url = sharedUrl();
  const problems = await watchProblems(page);
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  if (
    (await page
      .getByTestId('dataset-name')
      .textContent()
      .catch(() => '')) !== 'MNIST'
  ) {
    await page.getByTestId('open-mnist').click();
    await expect(page.getByTestId('dataset-name')).toHaveText('MNIST');
  }
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
  await page.getByTestId('train-latent').fill('20');
  await page.getByTestId('train-epochs').fill('3');
  await page.getByTestId('train-limit').fill('2000');
  await page.getByTestId('train-start').click();

  // The live view: snapshots of the model being trained replace the cloud, and move.
  const canvas = page.getByTestId('latent-canvas');
  await expect(canvas).toHaveAttribute('data-layout', 'snapshot', { timeout: 60_000 });
  const firstSum = await canvas.getAttribute('data-view-sum');
  await expect.poll(async () => Number(await canvas.getAttribute('data-snapshots')), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  await expect.poll(async () => canvas.getAttribute('data-view-sum'), { timeout: 90_000 }).not.toBe(firstSum);
  await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')), { timeout: 90_000 }).toBeGreaterThan(2);
  await screenshot(page, testInfo, 'training-live.png');
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  const snapshots = Number(await canvas.getAttribute('data-snapshots'));

  // The trained model's cloud: d = 20, shown with PCA.
  await expect(page.getByTestId('points-model-epoch')).toHaveText('3', { timeout: 90_000 });
  await expect(canvas).toHaveAttribute('data-layout', 'embeddings');
  await expect(page.getByTestId('view-kind')).toHaveText('PCA');
  const chartPoints = Number(await page.getByTestId('loss-chart').getAttribute('data-points'));
  report(
    testInfo,
    'training',
    `${snapshots} live snapshots of the space while training; loss chart of ${chartPoints} points; camera ${await canvas.getAttribute('data-camera')}`,
  );
  await screenshot(page, testInfo, 'trained-d20-pca.png');

  // A spot p of the PCA view decodes E[z | Vᵀ(z − m) = p] under the fitted density (training fits one), else m + V·p.
  await clickEmptySpot(page, ...SPOTS_A, ...SPOTS_B);
  const s = await expectShownIsDecodeOfZ(page, url);
  expect(s.z.length).toBe(20);
  const projection = await callService<Projection>(url, 'projection', { kind: 'pca' });
  expect(projection.kind).toBe('pca');
  const density = (await callService<Status>(url, 'status', {})).model?.latentDensity;
  const p = s.view!;
  const expectedZ = density ? new DensityView(density, projection, 3).conditionalMean(p) : unproject(projection, p);
  const worst = Math.max(...s.z.map((v, j) => Math.abs(expectedZ[j] - v)));
  expect(worst).toBeLessThan(1e-4);
  const inverse = density ? "the fitted density's conditional mean" : 'mean + V·p';
  report(testInfo, 'pca_inverse', `spot p=[${p.map((v) => v.toFixed(3))}] decoded z = ${inverse} within ${worst.toExponential(2)}`);

  // UMAP (fitted in a web worker): the view morphs; a spot decodes its approximate inverse.
  const umapStarted = performance.now();
  await page.getByTestId('projection-umap').click();
  await expect(page.getByTestId('view-kind')).toHaveText('UMAP', { timeout: 120_000 });
  await expect(page.getByTestId('projection-status')).toHaveCount(0, { timeout: 120_000 });
  report(
    testInfo,
    'umap',
    `UMAP of 70,000 points (2,000 fitted, the rest placed by neighbours) in ${((performance.now() - umapStarted) / 1000).toFixed(1)} s in a web worker`,
  );
  await clickEmptySpot(page, [0.5, 0.93], ...SPOTS_A, ...SPOTS_B);
  await expectShownIsDecodeOfZ(page, url);
  await screenshot(page, testInfo, 'umap.png');
  expect(problems).toEqual([]);
});
