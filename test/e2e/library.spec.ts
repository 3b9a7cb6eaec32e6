/**
 * Issue 11, point 3: the model library. After training a tiny model it lists that model and the
 * read-only default model; opening the default model (while a colour folder is open) brings MNIST
 * back with it; deleting the trained model removes it from the list and Undo brings it back.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';

/** A small folder of colour images (opened at the default 64×64 RGB) under the allowed place. */
async function colourFolder(allowed: string): Promise<string> {
  const folder = join(allowed, 'library-colours');
  for (const label of ['red', 'blue']) {
    mkdirSync(join(folder, label), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const rgb = label === 'red' ? [200 + i * 10, 20, 30] : [20, 40, 180 + i * 10];
      await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .png()
        .toFile(join(folder, label, `${i}.png`));
    }
  }
  return folder;
}

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): this test goes on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test('the library lists the trained and the default model, opens the default with MNIST, deletes and undoes', async ({ page }) => {
  test.setTimeout(300_000);
  const url = process.env.LATENTSCAPE_E2E_URL;
  const allowed = process.env.LATENTSCAPE_E2E_ALLOWED;
  if (!url || !allowed) throw new Error('run through playwright.config.ts (its global setup starts serve)');
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-limit').fill('300');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });

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
  const folder = await colourFolder(allowed);
  await page.getByTestId('folder-path').fill(folder);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('library-colours', { timeout: 60_000 });
  await expect(page.getByTestId('model-mismatch')).toBeVisible();
  await builtin.getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(builtin).toHaveClass(/open/);
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0);

  // Delete the trained model (no longer open), then undo.
  const row = library.locator(`[data-testid="library-model"][data-id="${trainedId}"]`);
  await row.getByTestId('library-delete').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('library-deleted')).toContainText(trainedId!);
  await page.getByTestId('library-undo').click();
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('library-deleted')).toHaveCount(0);
});

test('the mismatch message offers the library models that fit the open dataset, and opening one fixes it', async ({ page }) => {
  test.setTimeout(300_000);
  const url = process.env.LATENTSCAPE_E2E_URL;
  const allowed = process.env.LATENTSCAPE_E2E_ALLOWED;
  if (!url || !allowed) throw new Error('run through playwright.config.ts (its global setup starts serve)');
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  // A 64×64 colour model is open: MNIST (28×28 grey) does not fit it; the default model does.
  await page.getByTestId('folder-path').fill(await colourFolder(allowed));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('library-colours', { timeout: 60_000 });
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(page.getByTestId('model-mismatch')).toBeVisible();
  const offer = page.getByTestId('mismatch-fitting').locator('[data-testid="mismatch-open-model"][data-id="builtin:default"]');
  await expect(offer).toBeVisible();
  await offer.click();
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('library-panel').locator('[data-testid="library-model"][data-id="builtin:default"]')).toHaveClass(/open/);
});
