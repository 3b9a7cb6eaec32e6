/**
 * The desktop app through Playwright's Electron driver: launch → MNIST → a short training → decode.
 * Runs only where the Electron binary is installed (node_modules/electron/dist); elsewhere (e.g. a
 * machine where its download is blocked) it is reported as skipped with the reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

const electronInstalled = existsSync(join('node_modules', 'electron', 'dist'));
test.skip(!electronInstalled, 'the Electron binary is not installed (node_modules/electron/dist is missing: its download failed or was blocked; see README "The app")');

let app: ElectronApplication;
let dataDir: string;

test.beforeAll(async () => {
  // The full build: main (+ engine entry), preload, renderer.
  if (!existsSync(join('out', 'main', 'index.js')) || !existsSync(join('out', 'main', 'engine.js')) || !existsSync(join('out', 'preload', 'index.cjs'))) {
    execFileSync(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { stdio: 'inherit' });
  }
  dataDir = mkdtempSync(join(tmpdir(), 'latentscape-electron-'));
  app = await electron.launch({
    args: ['.', ...(process.env.CI ? ['--no-sandbox'] : [])],
    env: { ...process.env, LATENTSCAPE_DATA_DIR: dataDir, LATENTSCAPE_EXPOSE_ENGINE_PID: '1' },
  });
});

test.afterAll(async () => {
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('launch → MNIST → train → decode, in a sandboxed window from app://', async () => {
  const page = await app.firstWindow();
  expect(page.url()).toMatch(/^app:\/\/latentscape\//);
  // The renderer has no Node: only the bridge.
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { latentscape?: { call: Record<string, unknown> } }).latentscape?.call.status)).toBe('function');

  await expect(page.getByTestId('backend')).toHaveText(/^(tensorflow|wasm|cpu)$/, { timeout: 60_000 });
  await page.getByTestId('open-mnist').click();
  await expect(page.getByTestId('dataset-name')).toHaveText('MNIST');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-limit').fill('500');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('point-count')).toHaveText('70000', { timeout: 60_000 });
  await page.getByTestId('decode-z').fill('0, 0');
  await page.getByTestId('decode-button').click();
  await expect(page.getByTestId('decoded-image')).toHaveAttribute('data-decoded', '1');
});
