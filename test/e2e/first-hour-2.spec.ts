/**
 * Issue 25, items 6 to 11 — the rough edges of a new user's first hour, in Chromium against a
 * `latentscape serve` of their own (a fresh data dir: the default MNIST model, d = 3, 70,000 points):
 *  6. 2D: a bookmark saved in 3D comes back flat in 2D; dragging in 2D pans;
 *  7. no console error opening the default model from the library while a project is open;
 *  8. notices: identical ones merge, informational ones go, errors stay, none over the view's status line;
 *  9. colour-by-Recon and keyframes not yet kept survive a reload and a project reopen;
 * 10. words: the decode box (no "0, 0", never padded), the images-per-split field, "1 file found";
 * 11. a dominant label: the legend says so and colours one chosen label only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { ownServe } from './own-serve';

// Switching model or dataset inside an open project asks first: these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

// Not serial: each test stands alone (a failure restarts the worker, and with it a fresh serve).

const served = ownServe('hour2', { separateAllowed: true, env: { ...process.env, LATENTSCAPE_BACKEND: process.env.LATENTSCAPE_BACKEND || 'wasm' } });

/** Console errors and uncaught exceptions of the page, from now on. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** The page with MNIST and the default model's 70,000 points. */
async function openCloud(page: Page): Promise<void> {
  await page.goto(served.url);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
}

async function openDefaultModel(page: Page): Promise<void> {
  const builtin = page.getByTestId('library-panel').locator('[data-testid="library-model"][data-id="builtin:default"]');
  await builtin.getByTestId('library-open').click();
  await expect(builtin).toHaveClass(/open/, { timeout: 60_000 });
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
}

interface Camera {
  position: number[];
  target: number[];
}
async function camera(page: Page): Promise<Camera> {
  const [position, target] = ((await page.getByTestId('latent-canvas').getAttribute('data-camera')) ?? '|').split('|').map((p) => p.split(',').map(Number));
  return { position, target };
}
/** How far the camera is off the normal of the z = 0 plane through its target (0: it faces a 2D view). */
const tilt = (c: Camera): number => Math.hypot(c.position[0] - c.target[0], c.position[1] - c.target[1]);

async function dismissNotices(page: Page): Promise<void> {
  for (const dismiss of await page.getByTestId('notice').getByRole('button', { name: 'dismiss' }).all()) await dismiss.click();
}

test('item 6: a bookmark saved in 3D comes back as a flat, untilted view in 2D', async ({ page }) => {
  await openCloud(page);
  await page.getByTestId('projection-identity').click();
  await expect.poll(async () => tilt(await camera(page))).toBeGreaterThan(0.5); // 3D: framed at a tilt
  await page.getByTestId('bookmark-name').fill('tilted');
  await page.getByTestId('bookmark-add').click();
  await page.getByTestId('view-2d').click();
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => tilt(await camera(page))).toBeLessThan(0.002);

  await page.getByTestId('bookmark').click();
  await page.waitForTimeout(1200); // the bookmark's glide (700 ms)
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'true');
  expect(tilt(await camera(page))).toBeLessThan(0.002);
});

test('item 6: in 2D, dragging pans the plane instead of rotating it', async ({ page }) => {
  await openCloud(page);
  if ((await page.getByTestId('view-2d').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('view-2d').click();
  await expect.poll(async () => tilt(await camera(page))).toBeLessThan(0.002);
  await page.waitForTimeout(1200);
  const before = await camera(page);
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.55, { steps: 10 });
  await page.mouse.up();
  await expect.poll(async () => (await camera(page)).target.join(',')).not.toBe(before.target.join(','));
  const after = await camera(page);
  expect(tilt(after)).toBeLessThan(0.002);
  // Panned: the distance to the plane is unchanged.
  expect(after.position[2] - after.target[2]).toBeCloseTo(before.position[2] - before.target[2], 2);
  await page.getByTestId('view-2d').click(); // back to 3D for the tests after
  await expect(page.getByTestId('view-2d')).toHaveAttribute('aria-pressed', 'false');
});

test('item 7: opening the default model from the library while a project is open logs no console error', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = consoleErrors(page);
  await openCloud(page);
  // A project of a d = 8 model with a path through two images.
  await page.getByTestId('train-latent').fill('8');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-limit').fill('300');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 180_000 });
  await expect(page.getByTestId('points-model-epoch')).toHaveText('1', { timeout: 90_000 });
  for (const index of ['0', '1']) {
    await page.getByTestId('kf-index').fill(index);
    await page.getByTestId('kf-add-index').click();
  }
  await expect(page.getByTestId('keyframe')).toHaveCount(2);
  await expect.poll(async () => Number(await page.getByTestId('keyframes').getAttribute('data-drawn')), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId('path-keep').click();
  const project = join(served.allowed, 'with-path');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();

  await openDefaultModel(page);
  await page.waitForTimeout(2000);
  expect(errors).toEqual([]);
});

test('item 8: identical notices merge, informational ones go by themselves, errors stay, and none covers the status line', async ({ page }) => {
  test.setTimeout(120_000);
  await openCloud(page);
  await dismissNotices(page);
  await page.getByTestId('projection-identity').click();
  // Asking for UMAP on a d = 3 model (key 3) says why not, each time.
  for (let i = 0; i < 3; i++) await page.keyboard.press('3');
  const umapNotice = page.getByTestId('notice').filter({ hasText: 'no UMAP for d = 3' });
  await expect(umapNotice).toHaveCount(1);
  await expect(umapNotice.getByTestId('notice-count')).toHaveText('×3');

  // An error: a keyframe index that is not a number.
  await page.getByTestId('kf-index').fill('abc');
  await page.getByTestId('kf-add-index').click();
  const error = page.getByTestId('notice').filter({ hasText: '"abc" is not a dataset index' });
  await expect(error).toHaveAttribute('role', 'alert');

  // Neither covers the view's status line nor the status bar.
  const status = (await page.getByTestId('view-status').boundingBox())!;
  const bar = (await page.locator('header.bar').boundingBox())!;
  for (const n of await page.getByTestId('notice').all()) {
    const b = (await n.boundingBox())!;
    for (const other of [status, bar]) {
      const overlaps = b.x < other.x + other.width && other.x < b.x + b.width && b.y < other.y + other.height && other.y < b.y + b.height;
      expect(overlaps).toBe(false);
    }
  }

  await expect(umapNotice).toHaveCount(0, { timeout: 20_000 });
  await page.waitForTimeout(2000);
  await expect(error).toHaveCount(1);
  await error.getByRole('button', { name: 'dismiss' }).click();
  await expect(error).toHaveCount(0);
});

test('item 9: colour by Recon and keyframes not yet kept survive a reload and a project reopen', async ({ page }) => {
  test.setTimeout(180_000);
  await openCloud(page);
  // The page starts from the view the app holds (the keyframes of item 7's model): remove them.
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');
  while ((await page.getByTestId('keyframe').count()) > 0) await page.getByTestId('keyframe').first().getByRole('button', { name: 'remove' }).click();
  await page.getByTestId('color-recon').click();
  await expect(page.getByTestId('color-recon')).toHaveAttribute('aria-pressed', 'true');
  for (const index of ['5', '9']) {
    await page.getByTestId('kf-index').fill(index);
    await page.getByTestId('kf-add-index').click();
  }
  await expect(page.getByTestId('keyframe')).toHaveCount(2);
  await page.waitForTimeout(1500); // the view is pushed to the app 0.8 s after a change

  await page.reload();
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
  await expect(page.getByTestId('color-recon')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('legend-scale')).toBeVisible();
  await expect(page.getByTestId('keyframe')).toHaveCount(2);
  await expect(page.getByTestId('keyframe').first()).toContainText('#5');

  // Kept in a project: changed after saving, both come back when it is opened again.
  const project = join(served.allowed, 'recon-and-keyframes');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();
  await page.getByTestId('project-autosave').uncheck();
  await page.getByTestId('color-label').click();
  await page.getByTestId('kf-index').fill('11');
  await page.getByTestId('kf-add-index').click();
  await expect(page.getByTestId('keyframe')).toHaveCount(3);
  await page.waitForTimeout(2500);
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-open').click();
  await expect(page.getByTestId('color-recon')).toHaveAttribute('aria-pressed', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('keyframe')).toHaveCount(2);
  await page.getByTestId('project-autosave').check();
});

test('item 10: the decode box is not prefilled "0, 0" for a 3-d model and pads nothing', async ({ page }) => {
  await openCloud(page);
  // Empty, the model's size of zeros as its placeholder; a wrong length is refused with a message.
  const box = page.getByTestId('decode-z');
  await expect(box).toHaveValue('');
  await expect(box).toHaveAttribute('placeholder', '0, 0, 0');
  await box.fill('0.5, 1');
  await box.press('Enter');
  await expect(page.getByTestId('decode-z-error')).toHaveText("the model's latent vector has 3 numbers, not 2: type 3 numbers separated by commas");
  await expect(page.getByTestId('decoded-source')).toHaveCount(0);
});

test('item 10: 0 images per split says "all images", and no field is called "Subset"', async ({ page }) => {
  await openCloud(page);
  await page.getByTestId('train-limit').fill('0');
  await expect(page.getByTestId('train-limit-meaning')).toHaveText('all images');
  await expect(page.getByRole('region', { name: 'Training' })).not.toContainText('Subset');
});

test('item 10: a folder of one file that is not an image says "1 file found"', async ({ page }) => {
  await openCloud(page);
  const folder = join(served.allowed, 'one-broken-file');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'broken.png'), 'not a png');
  await page.getByTestId('folder-path').fill(folder);
  await page.getByTestId('folder-path').press('Enter');
  const refused = page.getByTestId('notice').filter({ hasText: 'found' });
  await expect(refused).toContainText('(1 file found, all skipped)', { timeout: 60_000 });
});

test('item 11: one dominant label — the legend says so and colours one chosen label only', async ({ page }) => {
  test.setTimeout(300_000);
  await openCloud(page);
  // 6 red images and 2 blue ones: red holds 75 %.
  const folder = join(served.allowed, 'mostly-red');
  for (const [label, n] of [
    ['red', 6],
    ['blue', 2],
  ] as const) {
    mkdirSync(join(folder, label), { recursive: true });
    for (let i = 0; i < n; i++) {
      const rgb = label === 'red' ? { r: 200 + i * 5, g: 20, b: 30 } : { r: 20, g: 40, b: 180 + i * 10 };
      await sharp({ create: { width: 20, height: 20, channels: 3, background: rgb } })
        .png()
        .toFile(join(folder, label, `${i}.png`));
    }
  }
  await page.getByTestId('folder-path').fill(folder);
  await page.getByTestId('folder-path').press('Enter');
  await expect(page.getByTestId('dataset-name')).toHaveText('mostly-red', { timeout: 60_000 });
  await page.getByTestId('train-length-unit').selectOption('epochs');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 180_000 });
  await expect(page.getByTestId('point-count')).toHaveText('8', { timeout: 90_000 });

  await expect(page.getByTestId('legend-dominant')).toContainText('red holds 75 % of the images');
  await page.getByTestId('legend-only-label').selectOption({ label: 'blue' });
  const legend = page.getByTestId('legend');
  await expect(legend.getByRole('button', { name: /^label red/ })).toHaveClass(/greyed/);
  await expect(legend.getByRole('button', { name: /^label blue/ })).not.toHaveClass(/greyed/);
});
