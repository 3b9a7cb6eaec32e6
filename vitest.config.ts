import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { nativeMissing } from './test/native-status.ts';
import { softwareAdapterEnv } from './test/webgpu-status.ts';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The test files that also run on native TensorFlow (the `tensorflow` project): those whose suites
 * are engine suites (test/engine-suite.ts runs each on the backends of the project it is in).
 */
const ENGINE_SUITES = readdirSync(join(root, 'test', 'unit'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts') && readFileSync(join(root, 'test', 'unit', file), 'utf8').includes('describeEngine('))
  .map((file) => `test/unit/${file.split(sep).join('/')}`)
  .sort();

const missing = nativeMissing(root);
// The default reporter shows a skipped test only as a count: say why here too.
if (missing && !process.env.LATENTSCAPE_NATIVE_NOTED) {
  process.env.LATENTSCAPE_NATIVE_NOTED = '1'; // the config is loaded more than once per run
  process.stderr.write(`[vitest] tensorflow project: the engine tests on native TensorFlow are skipped: ${missing}\n`);
}

export default defineConfig({
  test: {
    environment: 'node',
    // tfjs backends are process-global; run files in separate forks, two at a time (2 cores).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // Compiles the runes of the renderer's .svelte.ts state, so its classes run under test too.
        plugins: [svelte({ configFile: false })],
        // The renderer's tests live beside its code, in its feature slices.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/renderer/**/*.test.ts'], exclude: ['src/renderer/**/*.component.test.ts'] },
      },
      {
        extends: true,
        // Svelte components mounted in happy-dom: Svelte 5 mounts only with its browser build.
        plugins: [svelte({ configFile: false, compilerOptions: { hmr: false } })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'components',
          environment: 'happy-dom',
          include: ['src/renderer/**/*.component.test.ts'],
          setupFiles: ['src/renderer/shell/testing/component-setup.ts'],
        },
      },
      {
        extends: true,
        // Tests that fork the engine, start `latentscape` or `serve` as a user would, or build the app.
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'tensorflow',
          // Without native TensorFlow one placeholder test reports the skip and its reason.
          include: missing ? ['test/native-unavailable.test.ts'] : ENGINE_SUITES,
          env: { LATENTSCAPE_TEST_BACKEND: 'tensorflow', LATENTSCAPE_NATIVE_MISSING: missing ?? '' },
        },
      },
      {
        extends: true,
        test: {
          // The model's numbers on webgpu (SwiftShader's software adapter where no Vulkan driver is set:
          // test/webgpu-status.ts); without any adapter its suites report skipped with the reason.
          name: 'webgpu',
          include: ['test/webgpu/**/*.test.ts'],
          env: { LATENTSCAPE_TEST_BACKEND: 'webgpu', ...softwareAdapterEnv() },
        },
      },
    ],
  },
});
