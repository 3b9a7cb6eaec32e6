/**
 * Issue 21, decode anywhere on the data's manifold: a click in the PCA view of a d = 32 model with a
 * fitted latent density decodes a z whose view coordinates are the click's and whose other 29
 * coordinates are their conditional mean under the density (not the PCA mean's, as unproject gives).
 * The model is trained by the CLI (which fits the density), imported and opened through the library.
 * The expected z is computed here from the manifest's density and the PCA the service gives the page.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { expect, test, type Page } from '@playwright/test';
import { calls, type Projection } from '../../src/shared/contract';
import { DensityView, densityFromJson, LatentDensityJsonSchema } from '../../src/shared/latent-density';
import { project } from '../../src/shared/projection';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../src/shared/wire';
import { acceptDialogs, openApp } from './library-fixtures';

acceptDialogs();

const LATENT = 32;

/** One call to the serve host over its WebSocket, as a second client (the page's own API is not reachable). */
async function serviceCall(method: string, args: unknown): Promise<unknown> {
  const page = new URL(process.env.LATENTSCAPE_E2E_URL!);
  const ws = new WebSocket(`ws://${page.host}/ws?token=${encodeURIComponent(page.searchParams.get('token') ?? '')}`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const message = decodeFrame(new Uint8Array(data)) as ServerMessage;
        if (message.kind !== 'result' || message.id !== 1) return;
        if (message.ok) resolve(message.value);
        else reject(new Error(message.error.message));
      });
      ws.send(encodeFrame({ kind: 'call', id: 1, method, args }));
    });
  } finally {
    ws.close();
  }
}

/** Clicks a spot of the view with no point under it and waits for its decoded image. */
async function clickEmptySpot(page: Page): Promise<void> {
  const box = (await page.getByTestId('latent-canvas').boundingBox())!;
  for (const [fx, fy] of [
    [0.1, 0.88],
    [0.9, 0.9],
    [0.08, 0.7],
    [0.92, 0.7],
    [0.15, 0.95],
  ]) {
    const p = { x: box.x + box.width * fx, y: box.y + box.height * fy };
    await page.mouse.move(p.x, p.y);
    await page.waitForTimeout(150);
    if (await page.getByTestId('hover-card').isVisible()) continue;
    const before = Number(await page.getByTestId('decoded-image').getAttribute('data-seq'));
    await page.mouse.click(p.x, p.y);
    await expect.poll(async () => Number(await page.getByTestId('decoded-image').getAttribute('data-seq'))).toBeGreaterThan(before);
    await expect(page.getByTestId('decoded-source')).toHaveText(/^Spot/);
    return;
  }
  throw new Error('every candidate spot had a point under it');
}

test('a click in the PCA view of a d = 32 model decodes the conditional mean of the unseen dimensions', async ({ page }) => {
  test.setTimeout(240_000);
  const allowed = await openApp(page);
  const dir = join(allowed, `mnist-d${LATENT}-density`);
  execFileSync(
    process.execPath,
    ['bin/latentscape.js', 'train', '--data', 'mnist', '--arch', 'mlp', '--latent', String(LATENT), '--epochs', '1', '--limit', '600', '--out', dir, '--json'],
    { stdio: 'ignore', timeout: 180_000 },
  );
  const density = densityFromJson(LatentDensityJsonSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).latentDensity));
  expect(density.dim).toBe(LATENT);

  await page.getByTestId('library-import-path').fill(dir);
  await page.getByTestId('library-import-button').click();
  const row = page.getByTestId('library-panel').locator('[data-testid="library-model"]', { hasText: `mnist-d${LATENT}-density` });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await row.getByTestId('library-open').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
  // d > 3 opens in PCA once the model's embeddings arrive.
  await expect(page.getByTestId('projection-pca')).toHaveAttribute('aria-pressed', 'true', { timeout: 120_000 });
  // The model's own embeddings, not the live view of a training an earlier spec ran (clicks there do not decode).
  await expect(page.getByTestId('latent-canvas')).toHaveAttribute('data-layout', 'embeddings', { timeout: 120_000 });
  // …of this model: an earlier spec's model may have shown PCA embeddings too, before these replaced them.
  await expect(page.getByText(`PCA of d = ${LATENT}`)).toBeVisible({ timeout: 120_000 });

  await clickEmptySpot(page);
  const spotText = (await page.getByTestId('decoded-source').textContent()) ?? '';
  const spot = /^Spot \((.+)\)$/.exec(spotText)?.[1].split(', ').map(Number);
  expect(spot, spotText).toHaveLength(3);
  const zTitle = (await page.getByTestId('decoded-z').getAttribute('title')) ?? '';
  const z = zTitle.replace(/[[\]]/g, '').split(', ').map(Number);
  expect(z).toHaveLength(LATENT);

  // Stamped with the generation of what is open (shared/generation.ts).
  const projection: Projection = calls.projection.output.parse(await serviceCall('projection', { kind: 'pca' }));
  // Its view coordinates are the click's (the panel shows them to 2 decimals)…
  const view = Array.from(project(projection, z, 1));
  view.forEach((v, a) => expect(Math.abs(v - spot![a])).toBeLessThan(0.006));
  // …and its other coordinates the density's conditional mean there (the panel's z has 6 decimals).
  const expected = new DensityView(density, projection, 3).conditionalMean(view);
  const worst = Math.max(...z.map((v, j) => Math.abs(v - expected[j])));
  expect(worst).toBeLessThan(2e-3);
  // Without the density the click would have decoded m + V·p: a different latent, told apart from the
  // decoded z by more than ten times the tolerance z matched the conditional mean with (how far apart
  // depends on the empty spot the click found: 0.048 seen where the panels' layout moved it).
  const flat = projection.mean.map((m, j) => m + view[0] * projection.axes[0][j] + view[1] * projection.axes[1][j] + view[2] * projection.axes[2][j]);
  expect(Math.max(...flat.map((v, j) => Math.abs(v - z[j])))).toBeGreaterThan(10 * 2e-3);
  await expect(page.getByTestId('decoded-distance')).toHaveText(/inside the data|σ from the data/);
});
