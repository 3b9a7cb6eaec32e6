/**
 * Issue 11, point 2: opening a dataset the open model cannot read never hangs. With the real engine:
 * a model of 28×28 grey MNIST is open, then a folder of colour images opens (64×64 RGB); the view says
 * at once what does not fit instead of "Embedding N images…", and offers to train for the dataset.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test('a model that does not fit the opened folder is said at once, with the ways out', async ({ page }) => {
  test.setTimeout(300_000);
  const url = process.env.LATENTSCAPE_E2E_URL;
  const allowed = process.env.LATENTSCAPE_E2E_ALLOWED;
  if (!url || !allowed) throw new Error('run through playwright.config.ts (its global setup starts serve)');
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  if ((await page.getByTestId('model-epoch').count()) === 0) {
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-limit').fill('300');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  }
  await expect(page.getByTestId('model-info')).toContainText('MLP');

  const folder = join(allowed, 'colours');
  for (const label of ['red', 'blue']) {
    mkdirSync(join(folder, label), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const rgb = label === 'red' ? [200 + i * 10, 20, 30] : [20, 40, 180 + i * 10];
      await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .png()
        .toFile(join(folder, label, `${i}.png`));
    }
  }
  await page.getByTestId('folder-path').fill(folder);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('colours', { timeout: 60_000 });
  // At once (no engine round trip is awaited for it), and it names both shapes.
  const mismatch = page.getByTestId('model-mismatch');
  await expect(mismatch).toBeVisible({ timeout: 5_000 });
  await expect(mismatch).toContainText('28×28 grey');
  await expect(mismatch).toContainText('64×64 colour');
  await expect(page.getByText(/Embedding .* images…/)).toHaveCount(0);
  await page.getByTestId('mismatch-train').click();
  await expect(page.getByTestId('train-start')).toBeFocused();
  // The training panel's defaults follow the folder: the decoder is a Gaussian.
  await expect(page.getByTestId('train-likelihood').locator('option[value="auto"]')).toHaveText('Auto (Gaussian)');
});
