/**
 * Issue 11, point 3: the model library. After training a tiny model it lists that model and the
 * read-only default model; opening the default model (while a colour folder is open) brings MNIST
 * back with it; deleting the trained model removes it from the list and Undo brings it back.
 */
import { expect, test } from '@playwright/test';
import { acceptDialogs, colourFolder, openApp, openFolder, trainOneEpoch } from './library-fixtures';

acceptDialogs();

test('the library lists the trained and the default model, opens the default with MNIST, deletes and undoes', async ({ page }) => {
  test.setTimeout(300_000);
  const allowed = await openApp(page);
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await trainOneEpoch(page, 300);

  const library = page.getByTestId('library-panel');
  const builtin = library.locator('[data-testid="library-model"][data-id="builtin:default"]');
  await expect(builtin).toContainText('Default model');
  await expect(builtin).toContainText('read-only');
  await expect(builtin).toContainText('28×28 grey');
  await expect(builtin.getByTestId('library-delete')).toHaveCount(0);
  // The trained model: open, MNIST, mlp, one epoch.
  const trained = library.locator('[data-testid="library-model"].open[data-id^="run-"]');
  await expect(trained).toHaveCount(1);
  const trainedId = await trained.getAttribute('data-id');
  await expect(trained.getByTestId('library-model-facts')).toContainText('MNIST · 28×28 grey · mlp');
  await expect(trained.getByTestId('library-model-facts')).toContainText('1 ep');

  // A colour folder the open model cannot read; the default model brings MNIST back.
  await openFolder(page, await colourFolder(allowed, 'library-colours'), 'library-colours');
  await expect(page.getByTestId('model-mismatch')).toBeVisible();
  await builtin.getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(builtin).toHaveClass(/open/);
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0);

  // Delete the trained model (no longer open), then undo.
  const row = library.locator(`[data-testid="library-model"][data-id="${trainedId}"]`);
  // A new model is named after its dataset and settings (issue 25, item 3); the undo line names it so.
  await expect(row.getByTestId('library-model-name')).toContainText('MNIST · mlp');
  const trainedName = (await row.getByTestId('library-model-name').textContent())!.trim();
  await row.getByTestId('library-delete').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('library-deleted')).toContainText(`Deleted ${trainedName}`);
  await page.getByTestId('library-undo').click();
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('library-deleted')).toHaveCount(0);
});

test('the mismatch message offers the library models that fit the open dataset, and opening one fixes it', async ({ page }) => {
  test.setTimeout(300_000);
  const allowed = await openApp(page);
  // A 64×64 colour model is open: MNIST (28×28 grey) does not fit it; the default model does.
  await openFolder(page, await colourFolder(allowed, 'library-colours'), 'library-colours');
  await trainOneEpoch(page);
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(page.getByTestId('model-mismatch')).toBeVisible();
  // The offer names the model as the library lists it ("Default model (mlp, d=…)").
  const offer = page
    .getByTestId('mismatch-fitting')
    .getByTestId('mismatch-open-model')
    .filter({ hasText: /^Default model \(/ });
  await expect(offer).toBeVisible();
  await offer.click();
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('library-panel').locator('[data-testid="library-model"][data-id="builtin:default"]')).toHaveClass(/open/);
});

test('opening a folder’s model from the library while MNIST is open brings its folder and shows no error on the way', async ({ page }) => {
  test.setTimeout(300_000);
  const allowed = await openApp(page);
  await openFolder(page, await colourFolder(allowed, 'library-reopen'), 'library-reopen');
  await trainOneEpoch(page);
  const library = page.getByTestId('library-panel');
  const trained = library.locator('[data-testid="library-model"].open[data-id^="run-"]');
  const id = await trained.getAttribute('data-id');
  await library.locator('[data-testid="library-model"][data-id="builtin:default"]').getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(page.getByTestId('point-count')).not.toHaveText('0', { timeout: 60_000 });
  for (const n of await page.getByTestId('notice').all()) await n.getByRole('button', { name: 'dismiss' }).click();

  await library.locator(`[data-testid="library-model"][data-id="${id}"]`).getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('library-reopen', { timeout: 60_000 });
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0);
  await expect(page.getByTestId('point-count')).toHaveText('8', { timeout: 60_000 });
  // No error notice. (The race this once showed, a points request answered between the model and its
  // folder opening, needs a folder whose ingest takes a while; this small one rarely hits it.)
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('notice').and(page.getByRole('alert'))).toHaveCount(0);
});
