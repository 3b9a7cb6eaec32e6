/**
 * Browser e2e against `latentscape serve` (global-setup.ts builds the renderer and starts the host
 * on port 0 with a temp data dir), plus Electron specs (test/e2e/electron) that get Electron's binary
 * the way `npm start` does and are skipped, with the reason, only where that download fails.
 * One worker: the tests share the host's engine.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

function chromiumPath(): string | undefined {
  if (process.env.LATENTSCAPE_CHROMIUM) return process.env.LATENTSCAPE_CHROMIUM;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined; // Playwright's own (npx playwright install chromium)
}

export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      // Matched against absolute paths: anchored on e2e/ so a checkout under a folder named "electron" is no match.
      testIgnore: /[\\/]e2e[\\/]electron[\\/]/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromiumPath(),
          // WebGL through SwiftShader (software), so no --disable-gpu.
          args: [
            '--no-sandbox',
            '--use-angle=swiftshader',
            '--enable-unsafe-swiftshader',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /[\\/]e2e[\\/]electron[\\/][^\\/]+\.spec\.ts$/ },
  ],
});
