/**
 * The user's own metadata (issue 26 item 4) in Chromium against a `latentscape serve` of its own (the
 * default MNIST model, 70,000 points, keyed by image number): a CSV column colours the view, its
 * histogram filters it (the other points hidden), `column:value` searches it; a Parquet file of the same
 * table does the same; a file whose rows name nothing is refused with a message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ownServe } from './own-serve';

test.describe.configure({ mode: 'serial' });
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

const TOTAL = 70000;
const served = ownServe('metadata');

test.beforeAll(() => {
  // Every image: its parity (a category) and its number modulo 100 (a number); one row names no image.
  const image = Array.from({ length: TOTAL }, (_, i) => i);
  const csv = ['image,parity,rest', ...image.map((i) => `${i},${i % 2 ? 'odd' : 'even'},${i % 100}`), '999999,odd,1'].join('\n');
  writeFileSync(join(served.dataDir, 'digits.csv'), csv);
  const parquet = parquetWriteBuffer({
    columnData: [
      { name: 'image', data: image.map(String), type: 'STRING' },
      { name: 'parity', data: image.map((i) => (i % 2 ? 'odd' : 'even')), type: 'STRING' },
      { name: 'rest', data: image.map((i) => i % 100), type: 'INT32' },
    ],
  });
  writeFileSync(join(served.dataDir, 'digits.parquet'), new Uint8Array(parquet));
  writeFileSync(join(served.dataDir, 'strangers.csv'), 'file,size\nzebra.png,big\nyak.png,small\n');
});

async function openWith(page: Page, file: string): Promise<void> {
  await page.goto(served.url);
  await expect(page.getByTestId('point-count')).toHaveText(String(TOTAL), { timeout: 90_000 });
  await page.getByTestId('metadata-path').fill(join(served.dataDir, file));
  await page.getByTestId('metadata-import').click();
}

test('a CSV column colours the view, its histogram filters it, and the search box finds column:value', async ({ page }, testInfo) => {
  await openWith(page, 'digits.csv');
  await expect(page.getByTestId('metadata-summary')).toContainText('70,000 of 70,000 images have a row');
  await expect(page.getByTestId('metadata-summary')).toContainText('1 row named no image');

  const canvas = page.getByTestId('latent-canvas');
  const before = await canvas.screenshot();
  await page.getByTestId('metadata-color').selectOption('parity');
  await expect.poll(async () => Buffer.compare(await canvas.screenshot(), before)).not.toBe(0);
  await expect(page.getByTestId('legend-column')).toContainText('Coloured by parity');

  // Keeping only "even" hides the 35,000 odd images.
  await page.getByRole('button', { name: /^parity odd: 35000$/ }).click();
  await expect(page.getByTestId('metadata-kept')).toContainText('35,000 points pass the filters');
  await expect(canvas).toHaveAttribute('data-hidden', '35000');
  // The cross-filter: the other column's bars count only the kept points; parity's own bars still show both values.
  await expect(page.getByRole('button', { name: /^rest 0–4\.1\d: 2100$/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^parity odd: 35000$/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('metadata-histogram-filter.png') }); // docs/screenshots

  await page.getByTestId('search').fill('parity:odd');
  await expect(page.getByTestId('search-count')).toHaveText('35,000 matches');
  await page.getByTestId('search').fill('rest:0..9');
  await expect(page.getByTestId('search-count')).toHaveText('7,000 matches');
});

test('a Parquet file of the same table colours and filters the same way', async ({ page }) => {
  await openWith(page, 'digits.parquet');
  await expect(page.getByTestId('metadata-summary')).toContainText('digits.parquet: 70,000 of 70,000 images have a row');
  // The lowest bar of "rest" holds 0–4: 5 of every 100 images.
  await page.getByRole('button', { name: /^rest 0–4\.1\d: 3500$/ }).click();
  await expect(page.getByTestId('metadata-kept')).toContainText('3,500 points pass the filters');
  await expect(page.getByTestId('latent-canvas')).toHaveAttribute('data-hidden', String(TOTAL - 3500));
  await page.getByTestId('metadata-color').selectOption('rest');
  await expect(page.getByTestId('metadata-color')).toHaveValue('rest');
});

test('a file whose rows name no image is refused with a message, and nothing is imported', async ({ page }) => {
  await openWith(page, 'strangers.csv');
  await expect(page.getByTestId('metadata-error')).toContainText('none of the 2 rows of strangers.csv names an image of this dataset');
  await expect(page.getByTestId('metadata-summary')).toHaveCount(0);
});

test('without an import, the label and the measured reconstruction error filter the view too', async ({ page }) => {
  await page.goto(served.url);
  const canvas = page.getByTestId('latent-canvas');
  await expect(page.getByTestId('point-count')).toHaveText(String(TOTAL), { timeout: 90_000 });
  await page.getByRole('button', { name: /^label 7: 7293$/ }).click(); // keeps every label but 7
  await expect(page.getByTestId('metadata-kept')).toContainText(`${(TOTAL - 7293).toLocaleString('en-US')} points pass the filters`);
  await expect(canvas).toHaveAttribute('data-hidden', '7293');
  await page.getByTestId('metadata-measure').click();
  const recon = page.locator('[data-testid="metadata-histogram"][data-column="reconstruction error"]');
  await expect(recon).toBeVisible();
  // The worst reconstructions' bar under the label filter, then kept alone: fewer points pass.
  await recon.locator('button').last().click();
  await expect.poll(async () => Number((await page.getByTestId('metadata-kept').textContent())?.replace(/\D/g, ''))).toBeLessThan(TOTAL - 7293);
});
