/**
 * Issue 27, "the autopilot records", against `latentscape serve` with the default MNIST model: started, the
 * autopilot walks and the decoded image changes as it goes; with Record on, its walk is sampled into
 * keyframes that become the animation's when it stops, and the export writes them as a GIF, read back
 * here (docs/screenshots/autopilot.png shows it running).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { GifReader } from 'omggif';
import { docScreenshot } from './doc-screenshot';
import { acceptDialogs, clearHeldKeyframes, openApp, openDefaultModel } from './library-fixtures';

acceptDialogs();

async function shown(page: Page): Promise<{ pixels: number[]; seq: number }> {
  return page.getByTestId('decoded-image').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const pixels: number[] = [];
    for (let i = 0; i < data.length; i += 4) pixels.push(data[i]);
    return { pixels, seq: Number(canvas.dataset.seq) };
  });
}

const differing = (a: number[], b: number[]): number => a.filter((v, i) => Math.abs(v - b[i]) > 8).length;

test('the autopilot records: it walks, the decode changes, and its keyframes export as a GIF', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const allowed = await openApp(page);
  await openDefaultModel(page);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
  // The page starts from the view the app holds (keyframes an earlier spec left): clear them.
  await clearHeldKeyframes(page);

  const autopilot = page.getByTestId('autopilot');
  await autopilot.scrollIntoViewIfNeeded();
  await autopilot.locator('input[type=range]').fill('1.5');
  const record = autopilot.getByTestId('autopilot-record');
  await record.click();
  await expect(record).toHaveAttribute('aria-pressed', 'true');
  const start = autopilot.getByRole('button', { name: 'Start' });
  await start.click();
  await expect(autopilot.getByRole('button', { name: 'Stop' })).toHaveAttribute('aria-pressed', 'true');

  // The decode follows the walk: new images keep coming, and they change.
  await expect.poll(async () => (await page.getByTestId('decoded-image').count()) > 0, { timeout: 30_000 }).toBe(true);
  const first = await shown(page);
  await expect.poll(async () => (await shown(page)).seq, { timeout: 30_000 }).toBeGreaterThan(first.seq + 3);
  await expect.poll(async () => differing((await shown(page)).pixels, first.pixels), { timeout: 30_000 }).toBeGreaterThan(20);

  const recorded = page.getByTestId('autopilot-recorded');
  await expect.poll(async () => Number(await recorded.textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
  await docScreenshot(page, 'autopilot.png');

  await autopilot.getByRole('button', { name: 'Stop' }).click();
  await expect(autopilot.getByRole('button', { name: 'Start' })).toBeVisible();
  await expect(record).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => page.getByTestId('keyframe').count()).toBeGreaterThanOrEqual(4);
  const seq = (await shown(page)).seq;
  await page.waitForTimeout(500);
  expect((await shown(page)).seq, 'no decode after the stop').toBe(seq);

  // The recorded walk exports as any path does.
  await page.getByTestId('path-frames').fill('12');
  await page.getByTestId('open-export').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await page.getByTestId('video-format').selectOption('gif');
  await page.getByTestId('export-scale').fill('1');
  const target = join(allowed, 'autopilot-walk.gif');
  await page.getByTestId('export-path').fill(target);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-state')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const gif = new GifReader(new Uint8Array(readFileSync(target)));
  expect(gif.numFrames()).toBe(12);
  expect([gif.width, gif.height]).toEqual([28, 28]);
  await page.keyboard.press('Escape');
  expect(problems).toEqual([]);
});
