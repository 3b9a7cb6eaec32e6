import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { nativeMissing } from './test/native-status.ts';

/** The engine tests that also run on native TensorFlow (the `tensorflow` project). */
const ENGINE_TESTS = [
  'test/unit/engine/model/vae.test.ts',
  'test/unit/engine/model/distributions.test.ts',
  'test/unit/engine/train/trainer.test.ts',
  'test/unit/engine/train/checkpoint.test.ts',
  'test/unit/engine/train/resume-exact.test.ts',
  'test/unit/cli/interpolate.test.ts', // export: frames decoded by the model, written as GIF/WebM/PNG
];

const missing = nativeMissing(dirname(fileURLToPath(import.meta.url)));
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
        test: {
          name: 'tensorflow',
          // Without native TensorFlow one placeholder test reports the skip and its reason.
          include: missing ? ['test/native-unavailable.test.ts'] : ENGINE_TESTS,
          env: { LATENTSCAPE_TEST_BACKEND: 'tensorflow', LATENTSCAPE_NATIVE_MISSING: missing ?? '' },
        },
      },
    ],
  },
});
