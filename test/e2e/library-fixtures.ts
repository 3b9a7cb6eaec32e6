/**
 * What the library and mismatch specs share: the serve host's URL and allowed folder, the page opened
 * with the engine ready, dialogs accepted, and a small folder of colour images.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';

/**
 * The server is shared by every spec: a project saved earlier may be open, and switching dataset or
 * model inside it asks first (issue 11); these specs go on (and confirm "Empty trash").
 */
export function acceptDialogs(): void {
  test.beforeEach(({ page }) => {
    page.on('dialog', (d) => void d.accept());
  });
}

/** Opens the app served by playwright.config.ts's global setup; returns the folder it allows. */
export async function openApp(page: Page): Promise<string> {
  const url = process.env.LATENTSCAPE_E2E_URL;
  const allowed = process.env.LATENTSCAPE_E2E_ALLOWED;
  if (!url || !allowed) throw new Error('run through playwright.config.ts (its global setup starts serve)');
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  return allowed;
}

/**
 * Clears the keyframes of the view serve holds (specs share one serve, and an earlier spec may have
 * left some): waits for that view to arrive first, then clears the path, or removes a lone keyframe.
 */
export async function clearHeldKeyframes(page: Page): Promise<void> {
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');
  if (await page.getByTestId('path-clear').count()) await page.getByTestId('path-clear').click();
  const keyframes = page.getByTestId('keyframe');
  while ((await keyframes.count()) > 0) await keyframes.first().getByRole('button', { name: 'remove' }).click();
  await expect(keyframes).toHaveCount(0);
}

/** A small folder of colour images (red and blue, 4 each; opened at the default 64×64 RGB) under `allowed`. */
export async function colourFolder(allowed: string, name: string): Promise<string> {
  const folder = join(allowed, name);
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

/** Opens a typed folder path (the browser build's way) and waits for the dataset's name. */
export async function openFolder(page: Page, folder: string, name: string): Promise<void> {
  await page.getByTestId('folder-path').fill(folder);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText(name, { timeout: 60_000 });
}

/** Trains one quick epoch on the open dataset (`limit` images) and waits for it to end. */
export async function trainOneEpoch(page: Page, limit?: number): Promise<void> {
  // A folder defaults to minutes (a time budget): one epoch is asked for in epochs.
  await page.getByTestId('train-length-unit').selectOption('epochs');
  await page.getByTestId('train-epochs').fill('1');
  if (limit !== undefined) await page.getByTestId('train-limit').fill(String(limit));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
}

/**
 * Opens the default model (an MLP of MNIST) with MNIST, whatever an earlier spec left open: the server
 * is shared, and a spec that needs a model fitting MNIST must not depend on the order specs run in.
 */
export async function openDefaultModel(page: Page): Promise<void> {
  const builtin = page.getByTestId('library-panel').locator('[data-testid="library-model"][data-id="builtin:default"]');
  await expect(builtin).toHaveCount(1, { timeout: 30_000 });
  if (await builtin.evaluate((el) => el.classList.contains('open'))) await page.getByTestId('open-mnist').click();
  else await builtin.getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  await expect(builtin).toHaveClass(/open/);
}
