/**
 * Issue 11: how long to train is chosen from the dataset, as the CLI does (shared/training-defaults.ts):
 * a colour folder trains for 3 minutes of wall clock (its epochs are only a cap), MNIST for 10 epochs.
 * A value the user typed stays until another dataset opens. A run on a time budget shows its elapsed
 * time against the budget and ends by itself, saying it stopped at the budget. Against `latentscape
 * serve` with the real engine.
 */
import { expect, test, type Page } from '@playwright/test';
import { acceptDialogs, colourFolder, openApp, openFolder } from './library-fixtures';

acceptDialogs();
test.describe.configure({ mode: 'serial' });

async function openMnist(page: Page): Promise<void> {
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST', { timeout: 60_000 });
}

const length = (page: Page) => page.getByTestId('train-epochs');
const unit = (page: Page) => page.getByTestId('train-length-unit');

test('the training length and model default from the dataset: a colour folder 3 minutes of a conv VAE with d = 32 on every image, MNIST 10 epochs of the 2-d MLP; typed values stay', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const allowed = await openApp(page);
  const folder = await colourFolder(allowed, 'budget-defaults');

  await openFolder(page, folder, 'budget-defaults');
  await expect(unit(page)).toHaveValue('minutes');
  await expect(length(page)).toHaveValue('3');
  await expect(page.getByTestId('train-arch')).toHaveValue('conv');
  await expect(page.getByTestId('train-latent')).toHaveValue('32');
  await expect(page.getByTestId('train-limit')).toHaveValue('0');

  await openMnist(page);
  await expect(unit(page)).toHaveValue('epochs');
  await expect(length(page)).toHaveValue('10');
  await expect(page.getByTestId('train-arch')).toHaveValue('mlp');
  await expect(page.getByTestId('train-latent')).toHaveValue('2');
  await expect(page.getByTestId('train-limit')).toHaveValue('2000');

  // What the user typed stays while the same dataset is open (opened again too)…
  await length(page).fill('4');
  await openMnist(page);
  await expect(length(page)).toHaveValue('4');
  await expect(unit(page)).toHaveValue('epochs');
  // …and another dataset brings its own default.
  await openFolder(page, folder, 'budget-defaults');
  await expect(unit(page)).toHaveValue('minutes');
  await expect(length(page)).toHaveValue('3');
});

test('a run on a tiny time budget shows elapsed / budget, ends by itself as done and says it stopped at the budget', async ({ page }) => {
  test.setTimeout(240_000);
  const allowed = await openApp(page);
  const folder = await colourFolder(allowed, 'budget-run');
  await openFolder(page, folder, 'budget-run');
  await expect(unit(page)).toHaveValue('minutes');
  // 0.05 min = 3 s; 8 images train in a blink an epoch, so only the budget ends this run (its cap is thousands).
  await length(page).fill('0.05');
  await page.getByTestId('train-limit').fill('8');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-time')).toContainText('/ 3 s', { timeout: 60_000 });
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('training-budget-reached')).toContainText('Stopped at the time budget (3 s)');
  const epochs = Number(await page.getByTestId('model-epoch').textContent());
  expect(epochs).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('training-error')).toHaveCount(0);

  // Another dataset opens: the finished run's outcome is not shown over it.
  await openMnist(page);
  await expect(page.getByTestId('training-budget-reached')).toHaveCount(0);
});
