/**
 * electron-vite builds three targets into out/:
 *  - main: the Electron main process (src/main/index.ts) and, as a second entry, the engine process
 *    (src/engine/main.ts → out/main/engine.js) that the main process starts with utilityProcess.
 *    Dependencies stay external (tfjs-backend-wasm reads its .wasm files from node_modules).
 *  - preload: CommonJS (sandboxed preloads cannot be ES modules), everything bundled.
 *  - renderer: Svelte 5 + three.js, served from app:// in Electron and by `latentscape serve`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type RendererViteConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = dirname(fileURLToPath(import.meta.url));

/** Also used on its own by the e2e global setup (a renderer-only build for the serve host). */
export const rendererConfig: RendererViteConfig = {
  root: resolve(root, 'src/renderer'),
  base: './',
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    // three.js alone is ~500 kB; the app is loaded locally, not over a network.
    chunkSizeWarningLimit: 1000,
    // electron-vite leaves the renderer unminified; minified, the page has a third of the script to
    // load and compile before its first frame (first_view_ms, docs/BENCHMARKS.md).
    minify: true,
    rolldownOptions: {
      input: resolve(root, 'src/renderer/index.html'),
      // src/shared holds declarations only (schemas, limits, pure functions): what the page does not use
      // is left out. Its zod schemas of every call and event are built when their module is evaluated,
      // and the page validates none of them: only the few it reads stay (first_view_ms, docs/BENCHMARKS.md).
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]src[\\/]shared[\\/]/.test(id) },
    },
  },
  plugins: [svelte()],
};

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          engine: resolve(root, 'src/engine/main.ts'),
          // The ingest pool starts `new URL('./worker.mjs', import.meta.url)` beside the chunk that
          // holds it (out/main/chunks/); without this entry the app decodes folders on one thread.
          'ingest-worker': resolve(root, 'src/engine/data/ingest/worker.mjs'),
        },
        output: {
          entryFileNames: (chunk) => (chunk.name === 'ingest-worker' ? 'chunks/worker.mjs' : '[name].js'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
