/**
 * Issue 11: the training panel's choices a new user needs. Resume continues to the Epochs field's value
 * (it used to answer "the model already has N epoch(s): ask for more"); the decoder likelihood is a
 * choice with a hint, and the Gaussian with a learned scale is what a model is then trained with.
 * Runs against `latentscape serve` with the real engine.
 */
import { expect, test, type Page } from '@playwright/test';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

test.describe.configure({ mode: 'serial' });

async function openMnist(page: Page): Promise<void> {
  const url = process.env.LATENTSCAPE_E2E_URL;
  if (!url) throw new Error('LATENTSCAPE_E2E_URL is not set: run through playwright.config.ts (its global setup starts serve)');
  await page.goto(url);
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-info')).toContainText('70000 images');
}

async function trainTo(page: Page, epochs: number, button: 'train-start' | 'train-resume'): Promise<void> {
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId(button).click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('model-epoch')).toHaveText(String(epochs), { timeout: 60_000 });
}

test('Resume continues the open model to the Epochs field’s value', async ({ page }) => {
  test.setTimeout(300_000);
  await openMnist(page);
  await page.getByTestId('train-limit').fill('500');
  await trainTo(page, 1, 'train-start');
  await trainTo(page, 2, 'train-resume');
  await expect(page.getByTestId('training-error')).toHaveCount(0);
  await expect(page.getByTestId('checkpoint-epoch')).toHaveText('2');
});

test('the decoder likelihood is a choice with a hint, and the model is trained with it', async ({ page }) => {
  test.setTimeout(300_000);
  await openMnist(page);
  const choice = page.getByTestId('train-likelihood');
  // MNIST: Auto means Bernoulli, and the hint says what it suits.
  await expect(choice.locator('option[value="auto"]')).toHaveText('Auto (Bernoulli)');
  await expect(page.getByTestId('likelihood-hint')).toContainText('Bernoulli: for near black-and-white images');
  await choice.selectOption('gaussian-learned');
  await expect(page.getByTestId('likelihood-hint')).toContainText('Gaussian with a learned scale: for photos, icons and any colour image');
  await page.getByTestId('train-limit').fill('500');
  await trainTo(page, 1, 'train-start');
  await expect(page.getByTestId('model-info')).toContainText('gaussian');
});
