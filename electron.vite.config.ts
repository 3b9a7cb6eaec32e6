/**
 * electron-vite builds three targets into out/:
 *  - main: the Electron main process (src/main/index.ts) and, as a second entry, the engine process
 *    (src/engine/main.ts → out/main/engine.js) that the main process starts with utilityProcess.
 *    Dependencies stay external (tfjs-backend-wasm reads its .wasm files from node_modules).
 *  - preload: CommonJS (sandboxed preloads cannot be ES modules), everything bundled.
 *  - renderer: Svelte 5 + three.js, served from app:// in Electron and by `latentscape serve`.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type RendererViteConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The engine's `import * as tf from '@tensorflow/tfjs-core'` (and every other import of a package named here) as a
 * CommonJS require. Node's ES import of a CommonJS package first runs cjs-module-lexer over its source for export
 * names: 1.2 MB for tfjs-core, 114–139 ms against 31 ms required (fresh processes, 2-core machine), all of it in the
 * engine's start. The package stays external and is the very instance tfjs-node and backend.ts require; its
 * export names are read here, at build time, from the installed package.
 */
function requireCommonJs(packages: readonly string[]): Plugin {
  const prefix = '\0require-commonjs:';
  const load = createRequire(import.meta.url);
  return {
    name: 'latentscape:require-commonjs',
    enforce: 'pre',
    resolveId: (id) => (packages.includes(id) ? prefix + id : null),
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      const names = Object.keys(load(name) as object).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default');
      return [
        `import { createRequire } from 'node:module';`,
        `const m = createRequire(import.meta.url)(${JSON.stringify(name)});`,
        `export default m;`,
        `export const { ${names.join(', ')} } = m;`,
      ].join('\n');
    },
  };
}

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
    plugins: [requireCommonJs(['@tensorflow/tfjs-core'])],
    build: {
      // Left to the plugin above, which keeps it external as a require.
      externalizeDeps: { exclude: ['@tensorflow/tfjs-core'] },
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
