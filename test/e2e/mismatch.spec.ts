/**
 * Issue 11, point 2: opening a dataset the open model cannot read never hangs. With the real engine:
 * a model of 28×28 grey MNIST is open, then a folder of colour images opens (64×64 RGB); the view says
 * at once what does not fit instead of "Embedding N images…", and offers to train for the dataset.
 */
import { expect, test } from '@playwright/test';
import { acceptDialogs, colourFolder, openApp, openDefaultModel, openFolder } from './library-fixtures';

acceptDialogs();

test('a model that does not fit the opened folder is said at once, with the ways out', async ({ page }) => {
  test.setTimeout(300_000);
  const allowed = await openApp(page);
  await openDefaultModel(page);
  await expect(page.getByTestId('model-info')).toContainText('MLP');

  await openFolder(page, await colourFolder(allowed, 'colours'), 'colours');
  // At once (no engine round trip is awaited for it), and it names both shapes.
  const mismatch = page.getByTestId('model-mismatch');
  await expect(mismatch).toBeVisible({ timeout: 5_000 });
  await expect(mismatch).toContainText('28×28 grey');
  await expect(mismatch).toContainText('64×64 colour');
  await expect(page.getByText(/Embedding .* images…/)).toHaveCount(0);
  // The training panel's defaults follow the folder: the decoder is a Gaussian (its button trains with them: first-hour.spec.ts).
  await expect(page.getByTestId('train-likelihood').locator('option[value="auto"]')).toHaveText('Auto (Gaussian)');
});
