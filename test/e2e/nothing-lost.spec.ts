/**
 * Issue 11, nothing is lost and no stale state, against `latentscape serve` with the real engine:
 * switching dataset inside an open project asks first and closes it untouched; a cancelled training
 * keeps the open model; the status, error notices, model label, decoded spot and keyframes follow
 * what changed. Tiny subsets, one epoch.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { openDefaultModel as openDefaultModelWithMnist } from './library-fixtures';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through playwright.config.ts (its global setup starts serve)`);
  return v;
};

/** A small colourful folder: 2 labels × 6 images of 16×16. */
async function colourFolder(): Promise<string> {
  const dir = join(env('LATENTSCAPE_E2E_ALLOWED'), 'nothing-lost-images');
  if (existsSync(dir)) return dir;
  for (const [label, colour] of [
    ['red', { r: 220, g: 30, b: 40 }],
    ['blue', { r: 30, g: 60, b: 220 }],
  ] as const) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let i = 0; i < 6; i++) {
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { ...colour, g: colour.g + i * 20 } } })
        .png()
        .toFile(join(dir, label, `${i}.png`));
    }
  }
  return dir;
}

async function openApp(page: Page, onDialog: 'accept' | 'none' = 'accept'): Promise<void> {
  if (onDialog === 'accept') page.on('dialog', (d) => void d.accept());
  await page.goto(env('LATENTSCAPE_E2E_URL'));
  await expect(page.getByTestId('engine-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('project-path')).toHaveAttribute('data-synced', 'true', { timeout: 60_000 });
}

async function openMnist(page: Page): Promise<void> {
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-info')).toContainText('70000 images', { timeout: 120_000 });
}

async function openFolder(page: Page, dir: string): Promise<void> {
  await page.getByTestId('folder-path').fill(dir);
  await page.getByTestId('folder-path').press('Enter');
}

test('opening another dataset inside a project asks first; Cancel keeps it, going on closes it as saved', async ({ page }) => {
  test.setTimeout(240_000);
  let answer: 'accept' | 'dismiss' = 'accept';
  const asked: string[] = [];
  page.on('dialog', (d) => {
    asked.push(d.message());
    void (answer === 'accept' ? d.accept() : d.dismiss());
  });
  await openApp(page, 'none');
  const folder = await colourFolder();
  // Whatever an earlier spec left open, start from MNIST (a leftover project is closed on the way).
  await openMnist(page);
  const project = join(env('LATENTSCAPE_E2E_ALLOWED'), 'nothing-lost-project');
  await page.getByTestId('project-path-input').fill(project);
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('notice').filter({ hasText: `project saved to ${project}` })).toBeVisible({ timeout: 60_000 });
  // What the project holds; its view may still be autosaved while it is open.
  const holds = (): unknown => {
    const { savedAt: _s, view: _v, ...rest } = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as Record<string, unknown>;
    return rest;
  };
  // The embeddings are written into the project once they are computed (an autosave): wait for them, so
  // what follows compares against the project as it stands, not one autosave short of it.
  await expect.poll(() => (holds() as { embeddings: unknown }).embeddings, { timeout: 120_000 }).not.toBeNull();
  const saved = holds();
  expect(saved).toMatchObject({ dataset: { kind: 'mnist' } });
  const files = readdirSync(project).sort();

  // Cancel: nothing changes.
  answer = 'dismiss';
  const before = asked.length;
  await openFolder(page, folder);
  await expect.poll(() => asked.length).toBe(before + 1);
  expect(asked.at(-1)).toContain('Close project nothing-lost-project and open the folder');
  await expect(page.getByTestId('project-path')).toContainText('nothing-lost-project');
  await expect(page.getByTestId('dataset-info')).toContainText('70000 images');

  // Go on: the folder opens, the project closes, its files are as saved.
  answer = 'accept';
  await openFolder(page, folder);
  await expect.poll(() => asked.length).toBe(before + 2);
  await expect(page.getByTestId('dataset-info')).toContainText('12 images', { timeout: 120_000 });
  await expect(page.getByTestId('project-path')).not.toContainText('nothing-lost-project');
  await page.waitForTimeout(1500); // an autosave would have happened by now (800 ms debounce)
  expect(holds()).toEqual(saved);
  expect(readdirSync(project).sort()).toEqual(files);
});

test('stale state: keyframes of another dataset are not listed once another dataset opens', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page);
  const folder = await colourFolder();
  // Keyframes need a model that reads MNIST, whatever an earlier spec left open.
  await openDefaultModelWithMnist(page);
  await openMnist(page);
  await page.getByTestId('kf-index').fill('3');
  await page.getByTestId('kf-add-index').click();
  await expect(page.getByTestId('keyframe').first()).toBeVisible({ timeout: 60_000 });
  await openFolder(page, folder);
  await expect(page.getByTestId('dataset-info')).toContainText('12 images', { timeout: 120_000 });
  await expect(page.getByTestId('keyframe')).toHaveCount(0);
});

test('stale state: an error notice does not outlive the next job', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page);
  await openFolder(page, join(env('LATENTSCAPE_E2E_ALLOWED'), 'no-such-folder'));
  await expect(page.getByTestId('notice').and(page.getByRole('alert'))).not.toHaveCount(0, { timeout: 60_000 });
  await openMnist(page);
  await expect(page.getByTestId('notice').and(page.getByRole('alert'))).toHaveCount(0);
});

/** Starts a long training and waits for it to run. */
async function startLongTraining(page: Page): Promise<void> {
  await page.getByTestId('train-epochs').fill('200');
  await page.getByTestId('train-limit').fill('500');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('running', { timeout: 60_000 });
}

async function openDefaultModel(page: Page): Promise<void> {
  // The server is shared: whatever an earlier spec left open, these tests start from the default model.
  await openApp(page);
  await openDefaultModelWithMnist(page);
  await openMnist(page);
}

test('stale state: the model label shows the run being trained; a cancel keeps the open model', async ({ page }) => {
  test.setTimeout(240_000);
  await openDefaultModel(page);
  const before = (await page.getByTestId('model-info').textContent()) ?? '';
  await startLongTraining(page);
  await expect(page.getByTestId('model-info')).toContainText('training run-');
  await expect(page.getByTestId('model-info')).not.toHaveText(before);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('training-state')).toHaveText('cancelled', { timeout: 120_000 });
  await expect(page.getByTestId('model-info')).toHaveText(before, { timeout: 60_000 });
});

test('stale state: after a cancel, opening a dataset shows the current job, not "cancelled"', async ({ page }) => {
  test.setTimeout(240_000);
  await openDefaultModel(page);
  await startLongTraining(page);
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('training-state')).toHaveText('cancelled', { timeout: 120_000 });
  await openMnist(page);
  await expect(page.getByTestId('training-state')).not.toHaveText('cancelled');
  await page.reload();
  await expect(page.getByTestId('training-state')).toHaveText('idle', { timeout: 60_000 });
});

test('stale state: the decoded spot of the previous model is cleared when a new model opens', async ({ page }) => {
  test.setTimeout(300_000);
  await openApp(page);
  await openMnist(page);
  // A vector of the open model's size (the box's placeholder is that many zeros; it pads nothing).
  await expect(page.getByTestId('decode-button')).toBeEnabled({ timeout: 60_000 });
  const size = ((await page.getByTestId('decode-z').getAttribute('placeholder')) ?? '').split(',').length;
  await page.getByTestId('decode-z').fill(['0.5', '-0.25', ...Array<string>(Math.max(0, size - 2)).fill('0')].join(', '));
  await page.getByTestId('decode-button').click();
  const decoded = page.getByTestId('decoded-source');
  await expect(decoded).toHaveText('Typed latent', { timeout: 60_000 });
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-limit').fill('300');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 240_000 });
  await expect(page.getByTestId('model-info')).not.toContainText('default model', { timeout: 60_000 });
  await expect(decoded).toHaveCount(0);
});
