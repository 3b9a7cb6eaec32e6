/**
 * Issue 26 items 2 and 3 in Chromium against `latentscape serve`, on the MNIST default model (d = 3):
 * clusters found in the page's worker get labels, and on MNIST those labels are digits; the density
 * layer draws its contours and says when a click lies past the data; each quality list (worst
 * reconstructions, outliers, near-duplicates) flies to its point and decodes it. Screenshots of the
 * clusters and the density layer go to the report (docs/screenshots has copies).
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { acceptDialogs, openApp, openDefaultModel } from './library-fixtures';

acceptDialogs();

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function openModel(page: Page): Promise<void> {
  await openApp(page);
  await openDefaultModel(page);
  await expect(page.getByTestId('latent-canvas')).toHaveAttribute('data-layout', 'embeddings', { timeout: 60_000 });
}

/** The camera's target, from the canvas's data-camera ("position|target"). */
async function cameraTarget(page: Page): Promise<number[]> {
  const text = (await page.getByTestId('latent-canvas').getAttribute('data-camera')) ?? '';
  return (text.split('|')[1] ?? '').split(',').map(Number);
}

test('clusters of the MNIST default model get labels, and the labels are digits', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openModel(page);
  await page.getByTestId('cluster-toggle').click();
  await expect(page.getByTestId('cluster-toggle')).toHaveAttribute('aria-pressed', 'true');
  const rows = page.getByTestId('cluster-legend').locator('[data-cluster-label]');
  await expect(rows.first()).toBeVisible({ timeout: 180_000 });
  const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster-label') ?? ''));
  const k = Number(await page.getByTestId('latent-canvas').getAttribute('data-clusters'));
  expect(labels).toHaveLength(k);
  expect(k).toBeGreaterThanOrEqual(2);
  expect(k).toBeLessThanOrEqual(12);
  for (const label of labels) expect(label).toMatch(/^[0-9]$/);
  const shares = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-share'))));
  for (const share of shares) expect(share).toBeGreaterThan(0.1);
  // Each cluster's label sits on the view at its densest image.
  await expect(page.getByTestId('cluster-mark').first()).toBeVisible();
  process.stdout.write(`[e2e] clusters: k = ${k}: ${labels.map((l, i) => `${l} ${Math.round(shares[i] * 100)} %`).join(', ')}\n`);
  await screenshot(page, testInfo, 'clusters-mnist.png');
  // Toggled off: the labels colour the points again.
  await page.getByTestId('cluster-toggle').click();
  await expect(page.getByTestId('color-label')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('cluster-mark')).toHaveCount(0);
});

test('the density layer draws contours and tells when a click lies past the data', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await openModel(page);
  const canvas = page.getByTestId('latent-canvas');
  await expect(canvas).toHaveAttribute('data-contour-segments', '0');
  await page.getByTestId('density-toggle').click();
  await expect.poll(async () => Number(await canvas.getAttribute('data-contour-segments'))).toBeGreaterThan(40);
  await screenshot(page, testInfo, 'density-layer-3d.png');
  // In the flat view the contours lie in the points' own plane (the same x, y: the same contours).
  await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(1500); // the points glide flat
  expect(Number(await canvas.getAttribute('data-contour-segments'))).toBeGreaterThan(40);
  await screenshot(page, testInfo, 'density-layer.png');
  await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'false');
  await page.waitForTimeout(1500);
  // A spot far out in a corner of the view (no point under it) lies past the data.
  const box = (await canvas.boundingBox())!;
  let past = false;
  for (const [fx, fy] of [
    [0.95, 0.92],
    [0.05, 0.92],
    [0.95, 0.55],
    [0.05, 0.55],
  ]) {
    const p = { x: box.x + box.width * fx, y: box.y + box.height * fy };
    await page.mouse.move(p.x, p.y);
    await page.waitForTimeout(150);
    if (await page.getByTestId('hover-card').isVisible()) continue;
    await page.mouse.click(p.x, p.y);
    await expect(page.getByTestId('past-data')).toBeVisible();
    if ((await page.getByTestId('past-data').getAttribute('data-past')) === 'true') {
      past = true;
      break;
    }
  }
  expect(past).toBe(true);
  await expect(page.getByTestId('past-data')).toContainText('past the data');
  await page.getByTestId('density-toggle').click();
  await expect(canvas).toHaveAttribute('data-contour-segments', '0');
  await expect(page.getByTestId('past-data')).toHaveCount(0);
});

test('each quality list flies to its point and decodes it', async ({ page }) => {
  test.setTimeout(240_000);
  await openModel(page);
  for (const kind of ['worst', 'outliers', 'duplicates']) {
    await page.getByTestId(`quality-${kind}`).click();
    await expect(page.getByTestId('quality-table')).toHaveAttribute('data-kind', kind, { timeout: 120_000 });
    const rows = page.getByTestId('quality-row');
    await expect(rows).toHaveCount(100);
    // The second row, so a list that only ever decoded its first point would fail.
    const row = rows.nth(1);
    const index = await row.getAttribute('data-index');
    const view = ((await row.getAttribute('data-view')) ?? '').split(',').map(Number);
    expect(view).toHaveLength(3);
    // Once in five full runs a click decoded nothing (the shared serve's engine had been restarted by an
    // earlier spec; cause not pinned down): the click is tried again, and the decode must still come.
    await expect(async () => {
      await row.click();
      await expect(page.getByTestId('decoded-source')).toHaveText(`Image #${index}`, { timeout: 10_000 });
    }).toPass({ timeout: 60_000 });
    await expect
      .poll(async () => {
        const t = await cameraTarget(page);
        return Math.max(...t.map((v, a) => Math.abs(v - view[a])));
      })
      .toBeLessThan(0.01);
  }
  // The near-duplicates carry their thumbnails' pixel distance.
  await expect(page.getByTestId('quality-row').first().locator('td').nth(4)).toHaveText(/^\d/, { timeout: 120_000 });
});
