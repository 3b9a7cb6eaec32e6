/**
 * Issue 27, any image in and selections out, against `latentscape serve`: an image file chosen in the
 * "Your images" panel is encoded by the open model and shown with its neighbours and its mark in the
 * view (the screenshot docs/screenshots/dropped-image.png); a file that is not an image gets the reason;
 * a selection's files are copied byte for byte into a new folder (an existing one is refused); and a
 * new model is trained on a selection.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { docScreenshot } from './doc-screenshot';
import { acceptDialogs, colourFolder, openApp, openFolder, trainOneEpoch } from './library-fixtures';

acceptDialogs();

/** The colour folder opened and a model trained on it, its points in the view. */
async function folderWithModel(page: Page, name: string): Promise<{ allowed: string; folder: string }> {
  const allowed = await openApp(page);
  const folder = await colourFolder(allowed, name);
  await openFolder(page, folder, name);
  await trainOneEpoch(page);
  await expect(page.getByTestId('latent-canvas')).toHaveAttribute('data-layout', 'embeddings', { timeout: 60_000 });
  // The sample distance is measured after the run and the model updated with it: a selection made before
  // that ends was seen cleared by the update on a loaded machine.
  await expect(page.getByTestId('training-quality')).toHaveCount(0, { timeout: 120_000 });
  return { allowed, folder };
}

test('an image file brought in shows its reconstruction, its neighbours and its mark in the view', async ({ page }) => {
  test.setTimeout(240_000);
  const { allowed } = await folderWithModel(page, 'imagein-drop');
  const mine = join(allowed, 'my-red-square.png');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 230, g: 25, b: 35 } } })
    .png()
    .toFile(mine);
  await page.getByTestId('image-drop').locator('input[type=file]').setInputFiles(mine);
  await expect(page.getByTestId('dropped-count')).toHaveText('1', { timeout: 60_000 });
  await expect(page.getByTestId('dropped-reconstruction')).toBeVisible();
  const neighbours = page.getByTestId('dropped-nearest').locator('button');
  await expect.poll(() => neighbours.count()).toBeGreaterThan(0);
  await expect(page.getByTestId('dropped-mark')).toHaveCount(1);
  await page.getByTestId('dropped-nearest').scrollIntoViewIfNeeded();
  await docScreenshot(page, 'dropped-image.png');

  const notes = join(allowed, 'notes.txt');
  writeFileSync(notes, 'not a picture');
  await page.getByTestId('image-drop').locator('input[type=file]').setInputFiles(notes);
  await expect(page.getByTestId('notice').filter({ hasText: '"notes.txt" cannot be encoded: not an image' })).toBeVisible();
  await expect(page.getByTestId('dropped-count')).toHaveText('1');
});

test("a selection's files are copied byte for byte into a new folder; an existing folder is refused", async ({ page }) => {
  test.setTimeout(240_000);
  const { allowed, folder } = await folderWithModel(page, 'imagein-export');
  await page.getByTestId('search').fill('red');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('selection-count')).toHaveText('4');
  const target = join(allowed, 'exported-red');
  await page.getByTestId('selection-export-path').fill(target);
  await page.getByTestId('export-selection').click();
  await expect(page.getByTestId('selection-export-done')).toContainText('4 files copied into');
  expect(readdirSync(target)).toEqual(['red']);
  const copied = readdirSync(join(target, 'red')).sort();
  expect(copied).toEqual(['0.png', '1.png', '2.png', '3.png']);
  for (const f of copied) expect(readFileSync(join(target, 'red', f)).equals(readFileSync(join(folder, 'red', f)))).toBe(true);

  const taken = join(allowed, 'already-here');
  mkdirSync(taken);
  await page.getByTestId('selection-export-path').fill(taken);
  await page.getByTestId('export-selection').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'already exists: choose the name of a new folder; nothing was written' })).toBeVisible();
  expect(readdirSync(taken)).toEqual([]);
});

test('a new model is trained on the selected images', async ({ page }) => {
  test.setTimeout(240_000);
  await folderWithModel(page, 'imagein-train');
  await page.getByTestId('search').fill('blue');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('selection-count')).toHaveText('4');
  await page.getByTestId('train-length-unit').selectOption('epochs');
  await page.getByTestId('train-epochs').fill('1');
  await expect(page.getByTestId('train-on-selection')).toHaveText('Train on selection (4)');
  // The run's model joins the library: one more model of this folder there once it is done. Only this
  // folder's: every spec shares serve's library, and a run an earlier spec started (serve trains on when
  // its page has gone) may end meanwhile.
  const models = page.getByTestId('library-panel').getByTestId('library-model').filter({ hasText: 'imagein-train' });
  // The library's list is refreshed after the first run ends, a moment after the view shows its points:
  // CI once counted 0 here. Wait for that run's model, then count.
  await expect.poll(() => models.count(), { timeout: 30_000 }).toBeGreaterThan(0);
  const before = await models.count();
  await page.getByTestId('train-on-selection').click();
  await expect.poll(() => models.count(), { timeout: 120_000 }).toBe(before + 1);
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
});
