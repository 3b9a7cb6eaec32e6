/**
 * Images as points (issue 26), in Chromium against a `latentscape serve` of its own (a fresh data
 * dir: the default MNIST model, d = 3, all 70,000 points):
 *  - the mosaic draws thumbnails: with it on and the camera close, the canvas reports atlas pages
 *    held as textures and thumbnails drawn, and the picture has far more gray (digit) pixels than
 *    the same view drawn as coloured dots;
 *  - the decoded map: in the flat view its tiles appear (level 0 first) on the points' plane and
 *    finer levels arrive as the view zooms in; in 3D they lie on a backdrop past the cloud's far
 *    extent (the canvas's data-map-behind > 0), which stays put as the view orbits, and refine too.
 * Screenshots go to the test's output folder (docs/screenshots has copies).
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import sharp from 'sharp';
import { ownServe } from './own-serve';
import { docScreenshot } from './doc-screenshot';

test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

const TOTAL = 70000;
const served = ownServe('mosaic');

async function openCloud(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(served.url);
  await expect(page.getByTestId('point-count')).toHaveText(String(TOTAL), { timeout: 90_000 });
  return problems;
}

const canvasData = async (page: Page, name: string): Promise<number> => Number(await page.getByTestId('latent-canvas').getAttribute(`data-${name}`));

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  process.stdout.write(`[e2e] screenshot: ${path}\n`);
}

/** Zooms the view in around its middle by `steps` wheel notches. */
async function zoomIn(page: Page, steps: number): Promise<void> {
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(60);
  }
}

/** Pixels of the canvas's middle that are near-white gray (a digit's strokes): no dot is drawn that bright and gray. */
async function grayPixels(page: Page): Promise<number> {
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  const png = await page.screenshot({ clip: { x: box.x + box.width * 0.25, y: box.y + box.height * 0.25, width: box.width * 0.5, height: box.height * 0.5 } });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (Math.min(r, g, b) > 180 && Math.max(r, g, b) - Math.min(r, g, b) < 12) n++;
  }
  return n;
}

test('the mosaic draws the points near the camera as their thumbnails', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  await zoomIn(page, 8);
  await page.waitForTimeout(500);
  const dotsGray = await grayPixels(page);
  expect(await canvasData(page, 'mosaic-textures')).toBe(0);

  await page.getByTestId('mosaic-toggle').click();
  await expect(page.getByTestId('mosaic-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => canvasData(page, 'mosaic-textures'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(() => canvasData(page, 'mosaic-thumbnails'), { timeout: 60_000 }).toBeGreaterThan(100);
  await page.waitForTimeout(800);
  const mosaicGray = await grayPixels(page);
  process.stdout.write(
    `[e2e] mosaic: ${await canvasData(page, 'mosaic-thumbnails')} thumbnails from ${await canvasData(page, 'mosaic-textures')} atlas pages; gray pixels ${dotsGray} as dots, ${mosaicGray} as images\n`,
  );
  await screenshot(page, testInfo, 'mosaic-mnist.png');
  // No dot is near-white gray; the few such pixels as dots are the view's lines and labels.
  expect(mosaicGray).toBeGreaterThan(Math.max(1000, dotsGray * 2));

  // Bigger thumbnails through the size slider: more of the view is image.
  await page.getByTestId('mosaic-size').fill('1');
  await page.waitForTimeout(800);
  expect(await grayPixels(page)).toBeGreaterThan(mosaicGray);

  // Off again: the textures are freed, the dots are back.
  await page.getByTestId('mosaic-toggle').click();
  await expect.poll(() => canvasData(page, 'mosaic-textures')).toBe(0);
  expect(problems).toEqual([]);
});

test('the decoded map: tiles appear behind the flat view, finer ones as it zooms in', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(1200);
  // Facing the plane from the framed distance (the camera may have been kept from an earlier view).
  await page.keyboard.press('r');
  await page.waitForTimeout(800);
  await page.getByTestId('decoded-map-toggle').click();
  await expect.poll(() => canvasData(page, 'map-tiles'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('decoded-map-toggle')).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  const coarseLevel = await canvasData(page, 'map-level');
  const coarseTiles = await canvasData(page, 'map-tiles');
  expect(coarseLevel).toBeGreaterThanOrEqual(0);
  // The flat view's map lies on the points' own plane z = 0.
  expect(await canvasData(page, 'map-behind')).toBe(0);

  await zoomIn(page, 10);
  await expect.poll(() => canvasData(page, 'map-level'), { timeout: 60_000 }).toBeGreaterThan(coarseLevel);
  await expect(page.getByTestId('decoded-map-toggle')).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  const fineLevel = await canvasData(page, 'map-level');
  const fineTiles = await canvasData(page, 'map-tiles');
  process.stdout.write(`[e2e] decoded map: level ${coarseLevel} (${coarseTiles} tiles), zoomed in: level ${fineLevel} (${fineTiles} tiles)\n`);
  // The finest level shown is the view's: its tiles (each a quarter of the last level's) were decoded and drawn.
  expect(fineTiles).toBeGreaterThan(0);
  // For the picture: smaller dots (key −) so the map shows between them, the pointer off the cloud.
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  await page.mouse.move(box.x - 40, box.y + 40);
  for (let i = 0; i < 5; i++) await page.keyboard.press('-');
  await page.waitForTimeout(500);
  await screenshot(page, testInfo, 'decoded-map.png');

  await page.getByTestId('decoded-map-toggle').click();
  await expect.poll(() => canvasData(page, 'map-tiles')).toBe(0);
  expect(problems).toEqual([]);
});

test('the decoded map in 3D: a backdrop behind the cloud that stays put as the view orbits, refined on zoom', async ({ page }, testInfo) => {
  const problems = await openCloud(page);
  // The earlier test may have left the view flat.
  if ((await page.getByTestId('view-2d').getAttribute('aria-pressed')) === 'true') await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'false');
  await page.waitForTimeout(1200);
  // The home camera, the one the backdrop faces.
  await page.keyboard.press('r');
  await page.waitForTimeout(800);
  await page.getByTestId('decoded-map-toggle').click();
  await expect.poll(() => canvasData(page, 'map-tiles'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('decoded-map-toggle')).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  const coarseLevel = await canvasData(page, 'map-level');
  // The nearest drawn tile lies past the farthest point along the home camera's viewing direction.
  const behind = await canvasData(page, 'map-behind');
  expect(behind).toBeGreaterThan(0);
  await docScreenshot(page, 'decoded-map.png');
  await screenshot(page, testInfo, 'decoded-map-3d.png');

  // Orbiting: the wall stays where it is (the same clearance behind the cloud).
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(500);
  expect(await canvasData(page, 'map-behind')).toBeCloseTo(behind, 3);

  await zoomIn(page, 10);
  await expect.poll(() => canvasData(page, 'map-level'), { timeout: 60_000 }).toBeGreaterThan(coarseLevel);
  await expect(page.getByTestId('decoded-map-toggle')).toHaveAttribute('data-pending', '0', { timeout: 60_000 });
  expect(await canvasData(page, 'map-behind')).toBeCloseTo(behind, 3);
  process.stdout.write(`[e2e] decoded map in 3D: level ${coarseLevel}, zoomed in: level ${await canvasData(page, 'map-level')}; ${behind} behind the cloud\n`);

  await page.getByTestId('decoded-map-toggle').click();
  await expect.poll(() => canvasData(page, 'map-tiles')).toBe(0);
  expect(problems).toEqual([]);
});
