/**
 * The app in Chromium against `latentscape serve`: backend shown, MNIST opened, a short training
 * with progress reaching the page, embeddings drawn, decode; the engine killed mid-training and
 * coming back with the last checkpoint. Runs serially: the tests share one host and engine.
 */
import { expect, test, type Page } from '@playwright/test';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

const url = (): string => {
  const u = process.env.LATENTSCAPE_E2E_URL;
  if (!u) throw new Error('LATENTSCAPE_E2E_URL is not set: run through playwright.config.ts (its global setup starts serve)');
  return u;
};

async function openApp(page: Page): Promise<void> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await page.goto(url());
  await expect(page.getByTestId('backend')).toHaveText(/^(tensorflow|wasm|cpu)$/, { timeout: 60_000 });
  await expect(page.getByTestId('engine-state')).toHaveText('ready');
  test.info().annotations.push({ type: 'backend', description: (await page.getByTestId('backend').textContent()) ?? '' });
  // Checked at the end of each test.
  (page as Page & { problems?: string[] }).problems = problems;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

async function openMnist(page: Page): Promise<void> {
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST');
  await expect(page.getByTestId('dataset-info')).toContainText('70000 images');
}

async function startTraining(page: Page, epochs: number, limit: number): Promise<void> {
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-limit').fill(String(limit));
  await page.getByTestId('train-start').click();
}

test('shows the backend, opens MNIST, trains 1 epoch on 2,000 images and draws the embeddings', async ({ page }) => {
  await openApp(page);
  await openMnist(page);
  await startTraining(page, 1, 2000);

  // Progress reaches the page: the bar moves and a batch loss arrives.
  const progress = page.getByTestId('training-progress');
  await expect.poll(async () => Number(await progress.evaluate((el) => (el as HTMLProgressElement).value)), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('train-loss')).toHaveText(/^\d+(\.\d+)?$/);
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('checkpoint-epoch')).toHaveText('1');
  await expect(page.getByTestId('epoch-losses')).toContainText('epoch 1');
  // The held-out reconstruction PSNR of the epoch is shown with the losses.
  await expect(page.getByTestId('epoch-psnr')).toHaveText(/^\d+\.\d dB$/);
  await expect(page.getByTestId('model-epoch')).toHaveText('1');

  // The embeddings of all 70,000 images are drawn.
  await expect.poll(async () => Number(await page.getByTestId('point-count').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('point-count')).toHaveText('70000');

  // Decode a latent point.
  await page.getByTestId('decode-z').fill('0.5, -0.5');
  await page.getByTestId('decode-button').click();
  await expect(page.getByTestId('decoded-source')).toHaveText('Typed latent');
  expect(problemsOf(page)).toEqual([]);
});

test('70,000 embeddings (ids, labels, μ) reach the page: time measured and reported', async ({ page }, testInfo) => {
  await openApp(page);
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 60_000 });
  const samples: number[] = [];
  const timing = page.getByTestId('embeddings-ms');
  for (let i = 0; i < 5; i++) {
    const fetches = Number(await timing.getAttribute('data-fetches'));
    await page.getByTestId('reload-points').click();
    await expect(timing).toHaveAttribute('data-fetches', String(fetches + 1));
    samples.push(Number(await timing.textContent()));
  }
  await expect(page.getByTestId('point-count')).toHaveText('70000');
  // Each fetch was timed: a positive number of milliseconds (an empty or non-numeric reading is NaN,
  // and fails). How long it took is reported below, never asserted.
  for (const ms of samples) expect(ms).toBeGreaterThan(0);
  expect(samples).toHaveLength(5);
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const report = { points: 70000, samples_ms: samples, median_ms: median, budget_ms: 200 };
  testInfo.annotations.push({
    type: 'embeddings_70k_ms',
    description: `median ${median.toFixed(1)} ms over ${samples.length} fetches (budget 200 ms): ${samples.map((s) => s.toFixed(1)).join(', ')}`,
  });
  await testInfo.attach('embeddings-70k-ms.json', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });
  process.stdout.write(`[e2e] 70k embeddings reached the page in ${median.toFixed(1)} ms (median of ${samples.map((s) => s.toFixed(1)).join(', ')})\n`);
});

test('a folder outside the allowed roots is refused with a clear message', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('folder-path').fill('/etc');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('notice').filter({ hasText: 'outside the folders you chose' })).toBeVisible();
});

test('killing the engine mid-training: the page shows it, the engine restarts and the last checkpoint loads', async ({ page }) => {
  await openApp(page);
  const pidBefore = Number(await page.getByTestId('engine-pid').textContent());
  expect(pidBefore).toBeGreaterThan(0);
  const restartsBefore = Number(await page.getByTestId('engine-restarts').textContent());
  await startTraining(page, 20, 2000);
  await expect(page.getByTestId('training-state')).toHaveText('running');
  await expect.poll(async () => Number(await page.getByTestId('checkpoint-epoch').textContent()), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);

  const fetchesBefore = Number(await page.getByTestId('embeddings-ms').getAttribute('data-fetches'));
  process.kill(pidBefore, 'SIGKILL');

  // The failure is shown …
  await expect(page.getByTestId('notice').filter({ hasText: 'stopped unexpectedly' })).toBeVisible();
  const checkpointSeen = Number(await page.getByTestId('checkpoint-epoch').textContent());
  await expect(page.getByTestId('training-state')).toHaveText('failed');
  await expect(page.getByTestId('training-error')).toContainText('resume to continue');
  // … the engine comes back (a new process) …
  await expect(page.getByTestId('engine-restarts')).toHaveText(String(restartsBefore + 1), { timeout: 60_000 });
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('notice').filter({ hasText: 'The engine restarted' })).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId('engine-pid').textContent())).not.toBe(pidBefore);
  // … with the last checkpoint loaded: no finished epoch is lost.
  const loaded = Number(await page.getByTestId('model-epoch').textContent());
  expect(loaded).toBeGreaterThanOrEqual(Math.max(1, checkpointSeen));
  await expect(page.getByTestId('engine-message')).toContainText(`model at epoch ${loaded}`);
  await expect(page.getByTestId('checkpoint-epoch')).toHaveText(String(loaded));
  // The reloaded model's embeddings are fetched again and drawn.
  await expect
    .poll(async () => Number(await page.getByTestId('embeddings-ms').getAttribute('data-fetches')), { timeout: 60_000 })
    .toBeGreaterThan(fetchesBefore);
  await expect(page.getByTestId('points-model-epoch')).toHaveText(String(loaded), { timeout: 60_000 });
  await expect(page.getByTestId('point-count')).toHaveText('70000');
  test.info().annotations.push({ type: 'restart', description: `checkpoint seen before the kill: epoch ${checkpointSeen}; reloaded: epoch ${loaded}` });
  expect(problemsOf(page)).toEqual([]);
});
