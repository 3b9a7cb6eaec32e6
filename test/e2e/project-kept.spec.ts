/**
 * Issue 27, against `latentscape serve`: a project keeps the custom axis on show and the images brought in.
 * Saved with both, then both taken away (autosave off, so the project stays as saved), the project opened
 * again brings back the image (its encoding, not its file) and the view's custom axis; a reloaded page
 * gets them back from the app's view too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';
import { acceptDialogs, openApp, openDefaultModel } from './library-fixtures';

acceptDialogs();

test('a project keeps the custom axis and the dropped images', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const allowed = await openApp(page);
  await openDefaultModel(page);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true');

  const mine = join(allowed, 'kept-square.png');
  await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 240, g: 240, b: 240 } } })
    .png()
    .toFile(mine);
  const count = page.getByTestId('dropped-count');
  const before = Number(await count.textContent());
  await page.getByTestId('image-drop').locator('input[type=file]').setInputFiles(mine);
  await expect(count).toHaveText(String(before + 1), { timeout: 60_000 });

  await page.getByTestId('decode-z').fill('0.3, -0.2, 0.1');
  await page.getByTestId('decode-button').click();
  await page.getByTestId('direction-axis-0').click();
  await expect(page.getByTestId('custom-axis-what')).toHaveText('local PC1');

  const project = join(allowed, `kept-project-${Date.now()}`);
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible();
  const saved = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).view;
  expect(saved.customAxis.what).toBe('local PC1');
  expect(saved.dropped.map((d: { name: string }) => d.name)).toContain('kept-square.png');

  // Taken away from the page only: autosave off leaves the project as saved.
  await page.getByTestId('project-autosave').uncheck();
  while (Number(await count.textContent()) > 0) await page.getByRole('region', { name: 'Your images' }).getByRole('button', { name: 'Remove' }).click();
  await page.getByTestId('custom-axis-clear').click();
  await expect(page.getByTestId('custom-axis-what')).toHaveCount(0);

  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-open').click();
  await expect(count).toHaveText(String(before + 1), { timeout: 60_000 });
  await expect(page.getByTestId('custom-axis-what')).toHaveText('local PC1', { timeout: 60_000 });
  await expect(page.getByTestId('view-kind')).toHaveText('custom axis (local PC1)');

  await page.reload();
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 90_000 });
  await expect(count).toHaveText(String(before + 1), { timeout: 60_000 });
  await expect(page.getByTestId('custom-axis-what')).toHaveText('local PC1', { timeout: 60_000 });
  expect(problems).toEqual([]);
});
