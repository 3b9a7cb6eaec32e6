/**
 * Issue 27, directions to walk, against `latentscape serve` with the default MNIST model (d = 3): at a
 * decoded latent, one slider per principal direction; dragging one decodes live and the image changes
 * (docs/screenshots/direction-sliders.png). A slider's direction then becomes the view's x axis: the
 * projection changes (the points move) and a click in that view decodes (docs/screenshots/custom-axis.png).
 */
import { expect, test, type Page } from '@playwright/test';
import { docScreenshot } from './doc-screenshot';
import { acceptDialogs, openApp, openDefaultModel } from './library-fixtures';

acceptDialogs();

interface Shown {
  z: number[];
  pixels: number[];
  seq: number;
}

async function shown(page: Page): Promise<Shown> {
  return page.getByTestId('decoded-image').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const pixels: number[] = [];
    for (let i = 0; i < data.length; i += 4) pixels.push(data[i]);
    return { z: JSON.parse(canvas.dataset.z || '[]'), pixels, seq: Number(canvas.dataset.seq) };
  });
}

const differing = (a: number[], b: number[]): number => a.filter((v, i) => Math.abs(v - b[i]) > 8).length;

test('a direction slider decodes live while dragged; a direction becomes a custom axis of the view', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await openApp(page);
  await openDefaultModel(page);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });

  await page.getByTestId('decode-z').fill('0.3, -0.2, 0.1');
  await page.getByTestId('decode-button').click();
  const sliders = page.getByTestId('direction-sliders').locator('input[type=range]');
  await expect(sliders).toHaveCount(3);
  await expect.poll(async () => (await shown(page)).z.length).toBe(3);
  const before = await shown(page);

  // Drag the first slider's thumb from the middle (t = 0) to near its right end.
  const box = (await sliders.first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (const f of [0.6, 0.7, 0.8, 0.9]) await page.mouse.move(box.x + box.width * f, box.y + box.height / 2, { steps: 3 });
  await page.mouse.up();
  await expect.poll(async () => Number(await sliders.first().inputValue())).toBeGreaterThan(1);
  await expect.poll(async () => (await shown(page)).seq).toBeGreaterThan(before.seq + 1);
  await expect.poll(async () => differing((await shown(page)).pixels, before.pixels)).toBeGreaterThan(20);
  const after = await shown(page);
  expect(Math.hypot(...after.z.map((v, j) => v - before.z[j]))).toBeGreaterThan(0.1);
  await page.getByTestId('directions-panel').scrollIntoViewIfNeeded();
  await docScreenshot(page, 'direction-sliders.png');

  // The second direction as the view's x axis: the points move, clicks decode through the new view.
  const canvas = page.getByTestId('latent-canvas');
  const sumBefore = await canvas.getAttribute('data-view-sum');
  await page.getByTestId('direction-axis-1').click();
  await expect(page.getByTestId('custom-axis-what')).toHaveText('local PC2');
  await expect(page.getByTestId('projection-custom')).toHaveAttribute('title', /x = local PC2/);
  await expect.poll(() => canvas.getAttribute('data-view-sum')).not.toBe(sumBefore);
  await expect(page.getByTestId('view-kind')).toHaveText('custom axis (local PC2)');
  const seq = (await shown(page)).seq;
  const c = (await canvas.boundingBox())!;
  // A spot near the lower-left corner (the cloud is framed in the middle; a point may lie there too).
  await page.mouse.click(c.x + c.width * 0.1, c.y + c.height * 0.85);
  await expect.poll(async () => (await shown(page)).seq).toBeGreaterThan(seq);
  await expect(page.getByTestId('decoded-source')).toHaveText(/^(Spot|Image #\d+)/);
  await page.getByTestId('custom-axis').scrollIntoViewIfNeeded();
  await docScreenshot(page, 'custom-axis.png');

  await page.getByTestId('custom-axis-clear').click();
  await expect(page.getByTestId('custom-axis-what')).toHaveCount(0);
  await expect(page.getByTestId('view-kind')).toHaveText('latent space');
  expect(problems).toEqual([]);
});
