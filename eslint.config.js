// ESLint (flat config): typescript-eslint and eslint-plugin-svelte, plus the import boundaries of the
// layering (docs/ARCHITECTURE.md). Formatting is Prettier's job (eslint-config-prettier turns the
// style rules off). `npm run lint` is part of `npm test`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import ts from 'typescript-eslint';

/** An import whose path matches `regex` is refused in the files of a block, with `message`. */
const refuse = (regex, message) => ({ regex, message });
const ELECTRON = refuse('^electron(/|$)', 'only src/main and src/preload use Electron');
const THREE = refuse('^three(/|$)', 'three.js belongs to the renderer');
const SVELTE = refuse('^svelte(/|$)', 'Svelte belongs to the renderer');
const NODE = refuse('^node:', 'Node built-ins are not available here');
const ENGINE = refuse('(^|/)engine/', 'the engine is reached only through its protocol (src/shared/engine-protocol.ts)');
const SERVICE = refuse('(^|/)service/', 'the service is not imported from here');
const RENDERER = refuse('(^|/)renderer/', 'the renderer is imported by nothing');
const MAIN = refuse('(^|/)main/', 'the Electron main process is imported by nothing');
const HOST = refuse('(^|/)host/', 'the serve host is imported only by the CLI');
const CLI = refuse('(^|/)cli/', 'the CLI is imported by nothing');
const NODE_SIDE = refuse('(^|/)node/', 'src/node is for the Node-side parts only');
const PRELOAD = refuse('(^|/)preload/', 'the preload is imported by nothing');

const boundary = (files, patterns, extra = {}) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }], ...extra },
});
const RENDERER_REFUSED = [ENGINE, SERVICE, MAIN, HOST, CLI, NODE_SIDE, PRELOAD, NODE, ELECTRON];
const RENDERER_PACKAGES = refuse(
  '^(?![./]|svelte(/|$)|three(/|$)|umap-js$|ml-kmeans$|d3-contour$|ml-matrix$|mediabunny$)',
  'the renderer uses svelte, three and umap-js only (and ml-kmeans, d3-contour for clusters and density, ml-matrix for the directions, mediabunny for MP4)',
);
/** Its tests (beside the code, in the slices) and their helpers also use the test tools. */
const RENDERER_TEST_PACKAGES = refuse(
  '^(?![./]|svelte(/|$)|three(/|$)|umap-js$|ml-kmeans$|d3-contour$|ml-matrix$|mediabunny$|vitest$|@testing-library/svelte$|ml-pca$)',
  'the renderer uses svelte, three and umap-js only (and ml-kmeans, d3-contour, ml-matrix, mediabunny; its tests also vitest, @testing-library/svelte and ml-pca as a reference)',
);
const UMAP_IN_WORKER = refuse('^umap-js$', 'umap-js runs only in the web worker (explorer/layouts/umap.worker.ts)');
/**
 * The renderer's import rules for its files `depth` folders below src/renderer: a relative path that
 * climbs depth + 1 levels is in src/ and must go on to shared/; one that climbs further leaves src/.
 * (Regexes see only the text of a path, so the depth decides which climb leaves the renderer.)
 */
function rendererBlocks(depth) {
  const climb = (n) => `(\\.\\./){${n}}`;
  const here = [
    refuse(`^${climb(depth + 1)}(?!shared/|\\.\\./)`, 'the renderer imports only itself and src/shared'),
    refuse(`^${climb(depth + 2)}`, 'the renderer imports only itself and src/shared'),
  ];
  const files = `src/renderer/${'*/'.repeat(depth)}`;
  const tests = [`${files}*.test.ts`, ...(depth === 2 ? ['src/renderer/shell/testing/*'] : [])];
  return [
    boundary([`${files}*`], [...RENDERER_REFUSED, ...here, RENDERER_PACKAGES, UMAP_IN_WORKER]),
    boundary([`${files}*.worker.ts`], [...RENDERER_REFUSED, ...here, RENDERER_PACKAGES]),
    boundary(tests, [...RENDERER_REFUSED, ...here, RENDERER_TEST_PACKAGES, UMAP_IN_WORKER]),
  ];
}
const IPC_OUTSIDE_IPC = {
  selector: 'Identifier[name=/^ipc(Main|Renderer)$/]',
  message: 'only src/main/ipc and src/preload touch ipcMain / ipcRenderer',
};
const BRIDGE_OUTSIDE_API = {
  selector: "MemberExpression[object.name=/^(window|globalThis|self)$/][property.name='latentscape']",
  message: "only src/renderer/lib/api.ts reaches the preload's bridge",
};

/** Browser globals the Node-side code must not use (tsconfig.node.json has no DOM library either). */
const noDom = {
  'no-restricted-globals': ['error', ...['window', 'document', 'navigator', 'localStorage', 'HTMLElement'].map((name) => ({ name, message: 'no DOM here' }))],
};

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'coverage/', 'resources/', 'scratch/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_name` marks what is deliberately unused (destructuring out a field, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Empty catch blocks are how the code says "this failure does not matter"; each has a comment.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `while (true)`-style loops with a break inside are used on purpose.
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/renderer/**/*.worker.ts'],
    languageOptions: { globals: { ...globals.worker } },
  },

  // ---- The layering: who may import whom.
  // src/shared is the contract: it imports nothing of ours outside itself, no Node, Electron or DOM library.
  boundary(
    ['src/shared/**'],
    [
      refuse('^\\.\\./', 'src/shared imports nothing of ours outside src/shared'),
      NODE,
      ELECTRON,
      THREE,
      SVELTE,
      // ml-matrix: the latent density's Cholesky factors (latent-density.ts), pure arithmetic that runs in the page too.
      refuse('^(?!zod$|ml-matrix$|\\.)', 'src/shared imports only zod, ml-matrix and its own files'),
      refuse('^\\./.*/', 'src/shared is one flat folder'),
    ],
    {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'process'].map((name) => ({ name, message: 'src/shared runs in every process: no DOM and no Node globals' })),
      ],
    },
  ),
  // src/node: Node-side helpers (files, event loop) for engine, service, CLI and host.
  boundary(['src/node/**'], [refuse('^\\.\\./', 'src/node imports nothing of ours'), ELECTRON, THREE, SVELTE], noDom),
  // The engine: pure TypeScript on tfjs, its own process. No Electron, DOM, three.js, service.
  boundary(['src/engine/**'], [ELECTRON, THREE, SVELTE, SERVICE, RENDERER, MAIN, HOST, CLI, PRELOAD], noDom),
  // The service knows the engine only through src/shared (the engine protocol).
  boundary(['src/service/**'], [ENGINE, ELECTRON, THREE, SVELTE, RENDERER, MAIN, HOST, CLI, PRELOAD], noDom),
  // The transports: Electron's main process and the serve host drive the service, not the engine.
  boundary(['src/main/**'], [ENGINE, THREE, SVELTE, RENDERER, HOST, CLI], noDom),
  // The security settings and guards are tested with stand-ins, without Electron.
  boundary(
    ['src/main/security.ts'],
    [ENGINE, THREE, SVELTE, RENDERER, HOST, CLI, refuse('^electron(/|$)', 'security.ts is tested without Electron: it takes what it needs as arguments')],
    noDom,
  ),
  boundary(['src/host/**'], [ENGINE, ELECTRON, THREE, SVELTE, RENDERER, MAIN, CLI, PRELOAD], noDom),
  boundary(['src/preload/**'], [ENGINE, SERVICE, THREE, SVELTE, RENDERER, MAIN, HOST, CLI, NODE_SIDE, NODE]),
  // The renderer imports only src/shared and itself (types of the preload's bridge are in src/shared/bridge.ts).
  // Outside packages: svelte and three, and umap-js in the UMAP web worker; of ours, only src/shared.
  // Files sit up to three folders deep (src/renderer/<slice>/<part>/file).
  ...[0, 1, 2].flatMap(rendererBlocks),
  boundary(['src/renderer/*/*/*/**'], [refuse('.', 'src/renderer is at most two folders deep: add the depth to rendererBlocks in eslint.config.js')]),
  // The CLI drives the engine in-process and starts the host: anything but the renderer and Electron.
  boundary(['src/cli/**'], [RENDERER, MAIN, ELECTRON, THREE, SVELTE], noDom),
  // The page bench bundles the renderer's bench page and drives it in Chromium: its types and `window`
  // (inside page.evaluate) are the renderer's by design.
  boundary(['src/cli/page-bench.ts'], [MAIN, ELECTRON, THREE, SVELTE], { 'no-restricted-globals': 'off' }),

  // ---- Doors that imports alone cannot guard. Electron's IPC objects are touched only by the IPC
  // layer (src/main/ipc, which checks every sender and argument) and the preload.
  {
    files: ['src/**'],
    ignores: ['src/main/ipc/**', 'src/preload/**'],
    rules: { 'no-restricted-syntax': ['error', IPC_OUTSIDE_IPC] },
  },
  // The renderer reaches the service only through lib/api.ts: the preload's bridge or the serve socket.
  {
    files: ['src/renderer/**'],
    ignores: ['src/renderer/lib/api.ts'],
    rules: {
      'no-restricted-syntax': ['error', IPC_OUTSIDE_IPC, BRIDGE_OUTSIDE_API],
      'no-restricted-globals': ['error', { name: 'WebSocket', message: 'only src/renderer/lib/api.ts opens the serve socket' }],
    },
  },

  // ---- No import circles in src: a circle makes the load order decide what is undefined at start-up,
  // and it hides which module owns the shared piece. Type-only imports are erased and do not count.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Our imports name .ts files without their extension: parse them with TypeScript's parser.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.mjs', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },

  {
    files: ['test/**', 'src/renderer/**/*.test.ts'],
    rules: {
      // Tests build odd values on purpose (to check they are refused, or the longest JSON a number makes).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-loss-of-precision': 'off',
    },
  },
  {
    // CommonJS stand-ins (test fixtures loaded with require).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
  ...svelte.configs.prettier,
);
