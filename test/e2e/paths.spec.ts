/**
 * Interpolation, export and projects in Chromium against `latentscape serve`: two places picked in
 * the 3D view become a path (drawn in the 3D view, previewed as a filmstrip), the GIF exported through
 * the export dialog is read back from the allowed folder (frame count, size); the path kept with a
 * project comes back when the project is opened again, and a project whose image folder moved asks
 * where it went. Runs after app.spec.ts (which trains the
 * model); trains a small one itself when run alone.
 */
import { mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { GifReader } from 'omggif';
import sharp from 'sharp';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through playwright.config.ts (its global setup starts serve)`);
  return v;
};

async function openAppWithModel(page: Page): Promise<void> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(env('LATENTSCAPE_E2E_URL'));
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  if ((await page.getByTestId('dataset-name').count()) === 0) {
    await page.getByTestId('open-mnist').click();
    await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  }
  if ((await page.getByTestId('model-epoch').count()) === 0 || (await page.getByTestId('model-epoch').textContent()) === '0') {
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-limit').fill('2000');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 90_000 });
  }
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 60_000 });
}

test('pick two points, preview the path, export a GIF through the dialog and read it back', async ({ page }) => {
  await openAppWithModel(page);
  const allowed = env('LATENTSCAPE_E2E_ALLOWED');
  // The page starts from the view the app holds (keyframes an earlier spec left): clear them.
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');
  if (await page.getByRole('button', { name: 'Clear' }).count()) await page.getByRole('button', { name: 'Clear' }).click();

  // Two places picked in the 3D view (a click decodes the point or the spot under it), each added.
  const canvas = page.getByTestId('latent-canvas');
  const box = (await canvas.boundingBox())!;
  const decodedZ = async (): Promise<string | null> =>
    (await page.getByTestId('decoded-z').count()) ? await page.getByTestId('decoded-z').textContent() : null;
  for (const [fx, fy] of [
    [0.35, 0.45],
    [0.65, 0.55],
  ]) {
    const before = await decodedZ();
    await canvas.click({ position: { x: box.width * fx, y: box.height * fy } });
    await expect.poll(decodedZ).not.toBe(before);
    await expect(page.getByTestId('kf-add-selection')).toBeEnabled();
    await page.getByTestId('kf-add-selection').click();
  }
  await expect(page.getByTestId('keyframe')).toHaveCount(2);
  await expect(page.getByTestId('keyframe').first()).toContainText(/^#\d+|^spot/);
  await page.getByTestId('segment-mode').selectOption('spherical');
  await page.getByTestId('path-frames').fill('12');
  await page.getByTestId('path-fps').fill('10');

  // The filmstrip plays the 12 decoded frames; the path is drawn in the 3D view.
  await expect(page.getByTestId('preview-frames')).toHaveText('12');
  await expect(page.getByTestId('keyframes')).toHaveAttribute('data-drawn', '12');

  // Export through the dialog, into the folder serve was allowed to write.
  await page.getByTestId('open-export').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await page.getByTestId('video-format').selectOption('gif');
  await page.getByTestId('export-scale').fill('2');
  const target = join(allowed, 'walk.gif');
  await page.getByTestId('export-path').fill(target);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('export-result')).toContainText(`Wrote ${target}`);

  const gif = new GifReader(new Uint8Array(readFileSync(target)));
  expect(gif.numFrames()).toBe(12);
  expect([gif.width, gif.height]).toEqual([56, 56]);
  expect(gif.frameInfo(0).delay).toBe(10);

  // A path outside the allowed folders is refused with the reason.
  await page.getByTestId('export-path').fill('/etc/walk.gif');
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-state')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('export-result')).toContainText('outside the folders you chose');

  // The points as CSV: a header and one row per image.
  const csv = join(allowed, 'points.csv');
  await page.getByTestId('points-path').fill(csv);
  await page.getByTestId('save-points').click();
  await expect(page.getByTestId('notice').filter({ hasText: `70000 points saved to ${csv}` })).toBeVisible();
  expect(statSync(csv).size).toBeGreaterThan(70000 * 10);
  expect(readFileSync(csv, 'utf8').split('\n', 1)[0]).toMatch(/^id,label,(z\d+,)+x,y,z$/);
  expect((page as Page & { problems?: string[] }).problems).toEqual([]);
});

test('a project keeps its paths: save, clear, open again; a reloaded page gets its view back', async ({ page }) => {
  await openAppWithModel(page);
  const allowed = env('LATENTSCAPE_E2E_ALLOWED');
  // The page starts from the view the app holds (the previous test's path): clear it.
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');
  if (await page.getByRole('button', { name: 'Clear' }).count()) await page.getByRole('button', { name: 'Clear' }).click();
  for (const index of ['2', '3', '5']) {
    await page.getByTestId('kf-index').fill(index);
    await page.getByTestId('kf-add-index').click();
  }
  await page.getByTestId('path-frames').fill('9');
  await expect(page.getByTestId('preview-frames')).toHaveText('9');
  await page.getByTestId('path-keep').click();
  const kept = await page.getByTestId('saved-paths').locator('li').count();

  const project = join(allowed, 'e2e-project');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();
  expect(JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).view.paths).toHaveLength(kept);

  // Without autosave, clearing the page's paths leaves the project as saved.
  await page.getByTestId('project-autosave').uncheck();
  await page.getByRole('button', { name: 'Clear' }).click();
  while ((await page.getByTestId('saved-paths').count()) > 0) await page.getByRole('button', { name: 'forget' }).first().click();
  await expect(page.getByTestId('keyframe')).toHaveCount(0);

  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-open').click();
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  await expect(page.getByTestId('keyframe').nth(2)).toContainText('#5');
  await expect(page.getByTestId('preview-frames')).toHaveText('9');
  await expect(page.getByTestId('saved-paths').locator('li')).toHaveCount(kept);
  await expect(page.getByTestId('recent-project').first()).toHaveText('e2e-project');

  // A reloaded page starts from the app's view, not from nothing.
  await page.reload();
  await expect(page.getByTestId('keyframe')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('project-path')).toContainText('e2e-project');
  expect((page as Page & { problems?: string[] }).problems).toEqual([]);
});

test('latent arithmetic: two label groups give a direction; the slider moves the point and decodes it', async ({ page }) => {
  await openAppWithModel(page);
  await page.getByTestId('arith-a').selectOption(['1']);
  await page.getByTestId('arith-b').selectOption(['7']);
  await expect(page.getByTestId('arith-direction')).toContainText('mean(B) − mean(A)');
  // The panel shows the direction's length: 'length 1.234'.
  expect(Number(/length ([\d.]+)/.exec((await page.getByTestId('arith-direction').textContent()) ?? '')?.[1])).toBeGreaterThan(0);
  for (const t of ['0.5', '1']) await page.getByTestId('arith-t').fill(t);
  await expect(page.getByTestId('arith-t-value')).toHaveText('t = 1.00');
  await expect.poll(async () => Number(await page.getByTestId('arith-requests').textContent())).toBeGreaterThanOrEqual(2);
  // The moved point is the decoded image of the explorer (and can become a keyframe).
  await expect(page.getByTestId('decoded-source')).toContainText('from a panel');
  await expect(page.getByTestId('arith-keyframe')).toBeEnabled();
  expect((page as Page & { problems?: string[] }).problems).toEqual([]);
});

test('a project whose image folder moved asks where it went, and remembers the new place', async ({ page }) => {
  await openAppWithModel(page);
  const allowed = env('LATENTSCAPE_E2E_ALLOWED');
  // A small folder of images (two labels), opened as the dataset.
  const images = join(allowed, 'digits');
  for (const label of ['a', 'b']) {
    mkdirSync(join(images, label), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const pixels = Buffer.alloc(16 * 16, label === 'a' ? 40 * i : 255 - 40 * i);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
        .png()
        .toFile(join(images, label, `${i}.png`));
    }
  }
  await page.getByTestId('folder-path').fill(images);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('digits', { timeout: 60_000 });
  const project = join(allowed, 'moving-project');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();

  // The folder moves; opening the project asks where it went.
  const moved = join(allowed, 'digits-moved');
  renameSync(images, moved);
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-open').click();
  await expect(page.getByTestId('relocate-dialog')).toContainText(images);
  await page.getByTestId('relocate-path').fill(moved);
  await page.getByTestId('relocate-go').click();
  await expect(page.getByTestId('relocate-dialog')).toHaveCount(0);
  await expect(page.getByTestId('dataset-name')).toHaveText('digits-moved');
  await expect.poll(() => JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).dataset.path).toBe(moved);
  expect((page as Page & { problems?: string[] }).problems).toEqual([]);
});
