/**
 * The desktop app through Playwright's Electron driver: launch → MNIST → a short training → decode.
 * Its setup gets Electron's binary the way `npm start` does (Electron's own installer: mirror, proxy
 * and cache settings apply, the first run downloads it); only where that download fails are the
 * tests skipped, with the download's error as the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { ensureElectron } from '../../../scripts/electron-binary';

let app: ElectronApplication;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(15 * 60_000); // a first download is ~110 MB
  const binary = await ensureElectron({ echo: true });
  if (!binary.ok) {
    const { url, error } = binary.outcome;
    const reason = `Electron's binary could not be had: ${error}${url ? ` (${url})` : ''}. npm start prints how to fix it (mirror, proxy, cache).`;
    process.stdout.write(`[electron e2e] skipped: ${reason}\n`); // the list reporter does not print skip reasons
    test.skip(true, reason);
    return;
  }
  // The full build, always (a stale out/ would test old code): main (+ engine entry), preload, renderer.
  execFileSync(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  dataDir = mkdtempSync(join(tmpdir(), 'latentscape-electron-'));
  app = await electron.launch({
    executablePath: binary.executable,
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
  await expect(page.getByTestId('decoded-source')).toHaveText('Typed latent');
});
