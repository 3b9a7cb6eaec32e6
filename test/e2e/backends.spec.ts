/**
 * The backend as a user sees it, each test with its own `latentscape serve` (the backend is chosen
 * once per engine process):
 * - a tensorflow backend that loads but throws on its first op (test/fixtures/broken-tfjs-node.cjs,
 *   what tfjs-node 4.22.0 does on Node ≥ 23 without its util shim): the app runs on wasm and the
 *   status bar says why tensorflow was passed over;
 * - native TensorFlow (after `npm run setup:native`): a training of 1 epoch in the app runs on it.
 *   Skipped, with the reason, where native TensorFlow is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { nativeMissing } from '../native-status';

// The server is shared by every spec: a project saved earlier may be open, and switching dataset or
// model inside it asks first (issue 11): these tests go on.
test.beforeEach(({ page }) => {
  page.on('dialog', (d) => void d.accept());
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Serve {
  url: string;
  stop: () => Promise<void>;
}

/** Starts serve (the renderer is already built by the global setup) with extra environment. */
async function startServe(env: NodeJS.ProcessEnv): Promise<Serve> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latentscape-e2e-backend-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/latentscape.js', 'serve', '--port', '0', '--json', '--data-dir', dataDir, '--allow', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL within 60 s: ${stderr.slice(-500)}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`serve exited with code ${code}: ${stderr.slice(-500)}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`serve printed something other than JSON: ${line.slice(0, 200)}`));
      }
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

test('a tensorflow backend whose first op throws is passed over, and the status bar says why', async ({ page }) => {
  const serve = await startServe({
    LATENTSCAPE_BACKEND: '',
    LATENTSCAPE_TFJS_NODE: join(ROOT, 'test', 'fixtures', 'broken-tfjs-node.cjs'),
    BROKEN_TFJS_NODE: 'throw',
  });
  try {
    await page.goto(serve.url);
    await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 60_000 });
    await expect(page.getByTestId('backend-fallbacks')).toContainText('tensorflow: smoke check threw: (0 , util_1.isNullOrUndefined) is not a function');
  } finally {
    await serve.stop();
  }
});

test('trains 1 epoch in the app on native TensorFlow', async ({ page }) => {
  const missing = nativeMissing(ROOT);
  test.skip(missing !== null, `native TensorFlow is not installed: ${missing}`);
  const serve = await startServe({ LATENTSCAPE_BACKEND: 'tensorflow' });
  try {
    await page.goto(serve.url);
    await expect(page.getByTestId('backend')).toHaveText('tensorflow', { timeout: 60_000 });
    await expect(page.getByTestId('backend-fallbacks')).toHaveCount(0);
    await expect(page.getByTestId('engine-state')).toHaveText('ready');
    await page.getByTestId('open-mnist').click();
    await expect(page.getByTestId('dataset-name')).toHaveText('MNIST');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-limit').fill('2000');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 90_000 });
    await expect(page.getByTestId('epoch-losses')).toContainText('epoch 1');
    await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 60_000 });
  } finally {
    await serve.stop();
  }
});
