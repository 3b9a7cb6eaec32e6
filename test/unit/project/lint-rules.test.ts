/**
 * The layering (docs/ARCHITECTURE.md) is enforced by eslint.config.js alone. These samples, linted in
 * memory at the paths where they would break a rule (and at paths where the same code is allowed),
 * prove each rule is configured where it should be and fires: a rule that silently stopped matching
 * (a wrong glob, a block overridden by a later one, a resolver that no longer sees our .ts imports)
 * fails here instead of letting a bad import through.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');

interface Sample {
  why: string;
  file: string;
  code: string;
  /** The rule that must refuse the sample, and words of its message; null: the sample is allowed. */
  refusedBy: { rule: string; saying: string } | null;
}

const IMPORTS = 'no-restricted-imports';
const GLOBALS = 'no-restricted-globals';
const SYNTAX = 'no-restricted-syntax';

const SAMPLES: Sample[] = [
  // src/shared: zod, ml-matrix and its own flat folder, nothing of Node, the DOM or the other layers.
  {
    why: 'shared uses zod and itself',
    file: 'src/shared/x.ts',
    code: "import { z } from 'zod';\nimport { MAX_PATH_CHARS } from './limits';\nexport const s = z.string().max(MAX_PATH_CHARS);\n",
    refusedBy: null,
  },
  {
    why: 'shared imports Node',
    file: 'src/shared/x.ts',
    code: "import { join } from 'node:path';\nexport const p = join('a');\n",
    refusedBy: { rule: IMPORTS, saying: 'Node built-ins' },
  },
  {
    why: 'shared uses ml-matrix (the latent density)',
    file: 'src/shared/x.ts',
    code: "import { Matrix } from 'ml-matrix';\nexport const m = Matrix;\n",
    refusedBy: null,
  },
  {
    why: 'shared imports a package',
    file: 'src/shared/x.ts',
    code: "import pca from 'ml-pca';\nexport const p = pca;\n",
    refusedBy: { rule: IMPORTS, saying: 'only zod' },
  },
  {
    why: 'shared imports the engine',
    file: 'src/shared/x.ts',
    code: "import { Vae } from '../engine/model/vae';\nexport const v = Vae;\n",
    refusedBy: { rule: IMPORTS, saying: 'outside src/shared' },
  },
  {
    why: 'shared reads process',
    file: 'src/shared/x.ts',
    code: 'export const env = process.env.HOME;\n',
    refusedBy: { rule: GLOBALS, saying: 'no Node globals' },
  },
  { why: 'shared touches the DOM', file: 'src/shared/x.ts', code: 'export const t = document.title;\n', refusedBy: { rule: GLOBALS, saying: 'no DOM' } },
  // The engine: its own process, no service, Electron or DOM.
  {
    why: 'engine imports the service',
    file: 'src/engine/x.ts',
    code: "import { AppService } from '../service/service';\nexport const a = AppService;\n",
    refusedBy: { rule: IMPORTS, saying: 'service is not imported' },
  },
  {
    why: 'engine imports Electron',
    file: 'src/engine/x.ts',
    code: "import { app } from 'electron';\nexport const a = app;\n",
    refusedBy: { rule: IMPORTS, saying: 'Electron' },
  },
  { why: 'engine touches the DOM', file: 'src/engine/x.ts', code: 'export const t = window.name;\n', refusedBy: { rule: GLOBALS, saying: 'no DOM' } },
  // The service knows the engine only through its protocol.
  {
    why: 'service imports the engine',
    file: 'src/service/x.ts',
    code: "import { Vae } from '../engine/model/vae';\nexport const v = Vae;\n",
    refusedBy: { rule: IMPORTS, saying: 'only through its protocol' },
  },
  {
    why: 'service uses the protocol',
    file: 'src/service/x.ts',
    code: "import { engineCalls } from '../shared/engine-protocol';\nexport const o = engineCalls;\n",
    refusedBy: null,
  },
  // The renderer: itself, src/shared, svelte and three; umap-js only in its web worker.
  {
    why: 'renderer imports shared',
    file: 'src/renderer/scene/x.ts',
    code: "import { BACKEND_NAMES } from '../../shared/vocabulary';\nexport const v = BACKEND_NAMES;\n",
    refusedBy: null,
  },
  {
    why: 'renderer imports the service',
    file: 'src/renderer/scene/x.ts',
    code: "import { AppService } from '../../service/service';\nexport const a = AppService;\n",
    refusedBy: { rule: IMPORTS, saying: 'service' },
  },
  {
    why: 'renderer imports Node',
    file: 'src/renderer/scene/x.ts',
    code: "import { join } from 'node:path';\nexport const j = join;\n",
    refusedBy: { rule: IMPORTS, saying: 'Node built-ins' },
  },
  {
    why: 'renderer imports a package',
    file: 'src/renderer/scene/x.ts',
    code: "import pca from 'ml-pca';\nexport const p = pca;\n",
    refusedBy: { rule: IMPORTS, saying: 'svelte, three and umap-js only' },
  },
  {
    why: 'renderer imports outside shared',
    file: 'src/renderer/scene/x.ts',
    code: "import { x } from '../../../scripts/x';\nexport const y = x;\n",
    refusedBy: { rule: IMPORTS, saying: 'only itself and src/shared' },
  },
  // Two folders deep (a slice's part): the climbs that stay in the renderer, reach src/shared, or leave.
  {
    why: 'a slice part imports the shell and shared',
    file: 'src/renderer/explorer/decode/x.ts',
    code: "import { AppState } from '../../shell/app.svelte';\nimport { BACKEND_NAMES } from '../../../shared/vocabulary';\nexport const v = [AppState, BACKEND_NAMES];\n",
    refusedBy: null,
  },
  {
    why: 'a slice part imports the engine',
    file: 'src/renderer/explorer/decode/x.ts',
    code: "import { Vae } from '../../../engine/model/vae';\nexport const v = Vae;\n",
    refusedBy: { rule: IMPORTS, saying: 'engine' },
  },
  {
    why: 'a slice part imports outside src',
    file: 'src/renderer/explorer/decode/x.ts',
    code: "import { x } from '../../../../scripts/x';\nexport const y = x;\n",
    refusedBy: { rule: IMPORTS, saying: 'only itself and src/shared' },
  },
  {
    why: 'a slice part imports src/host by a relative path',
    file: 'src/renderer/explorer/decode/x.ts',
    code: "import { x } from '../../../tools/x';\nexport const y = x;\n",
    refusedBy: { rule: IMPORTS, saying: 'only itself and src/shared' },
  },
  {
    why: 'a renderer test uses vitest and testing-library',
    file: 'src/renderer/explorer/decode/X.component.test.ts',
    code: "import { it } from 'vitest';\nimport { render } from '@testing-library/svelte';\nexport const v = [it, render];\n",
    refusedBy: null,
  },
  {
    why: 'renderer code uses vitest',
    file: 'src/renderer/explorer/decode/x.ts',
    code: "import { it } from 'vitest';\nexport const v = it;\n",
    refusedBy: { rule: IMPORTS, saying: 'svelte, three and umap-js only' },
  },
  {
    why: 'umap-js outside the worker',
    file: 'src/renderer/scene/x.ts',
    code: "import { UMAP } from 'umap-js';\nexport const u = UMAP;\n",
    refusedBy: { rule: IMPORTS, saying: 'web worker' },
  },
  { why: 'umap-js in the worker', file: 'src/renderer/scene/x.worker.ts', code: "import { UMAP } from 'umap-js';\nexport const u = UMAP;\n", refusedBy: null },
  // Only lib/api.ts reaches the bridge or opens the serve socket.
  {
    why: 'bridge outside api.ts',
    file: 'src/renderer/ui/x.ts',
    code: 'export const b = window.latentscape;\n',
    refusedBy: { rule: SYNTAX, saying: "preload's bridge" },
  },
  {
    why: 'bridge in a component',
    file: 'src/renderer/ui/X.svelte',
    code: '<script lang="ts">\n  const b = globalThis.latentscape;\n</script>\n\n<p>{b}</p>\n',
    refusedBy: { rule: SYNTAX, saying: "preload's bridge" },
  },
  {
    why: 'socket outside api.ts',
    file: 'src/renderer/ui/x.ts',
    code: "export const s = new WebSocket('ws://127.0.0.1');\n",
    refusedBy: { rule: GLOBALS, saying: 'serve socket' },
  },
  {
    why: 'bridge and socket in api.ts',
    file: 'src/renderer/lib/api.ts',
    code: "export const b = window.latentscape;\nexport const s = new WebSocket('ws://127.0.0.1');\n",
    refusedBy: null,
  },
  // Electron's IPC objects: only the IPC layer and the preload.
  {
    why: 'ipcMain outside main/ipc',
    file: 'src/main/menu.ts',
    code: "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n",
    refusedBy: { rule: SYNTAX, saying: 'ipcMain' },
  },
  { why: 'ipcMain in main/ipc', file: 'src/main/ipc/x.ts', code: "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", refusedBy: null },
  {
    why: 'ipcRenderer in the preload',
    file: 'src/preload/x.ts',
    code: "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
    refusedBy: null,
  },
  {
    why: 'ipcRenderer in the renderer',
    file: 'src/renderer/ui/x.ts',
    code: 'export const i = (globalThis as { ipcRenderer?: unknown }).ipcRenderer;\n',
    refusedBy: { rule: SYNTAX, saying: 'ipcRenderer' },
  },
  // The security module is tested without Electron.
  {
    why: 'security.ts imports Electron',
    file: 'src/main/security.ts',
    code: "import { session } from 'electron';\nexport const s = session;\n",
    refusedBy: { rule: IMPORTS, saying: 'without Electron' },
  },
  { why: 'other main files import Electron', file: 'src/main/menu.ts', code: "import { Menu } from 'electron';\nexport const m = Menu;\n", refusedBy: null },
];

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function problems(file: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe('lint: the layering', () => {
  it.each(SAMPLES)('$why ($file)', async ({ file, code, refusedBy }) => {
    const found = await problems(file, code);
    if (refusedBy === null) {
      expect(found).toEqual([]);
    } else {
      // Only the expected rule, once or more (an import can match several of a folder's patterns).
      expect(new Set(found.map((p) => p.rule))).toEqual(new Set([refusedBy.rule]));
      expect(found.map((p) => p.message).join('\n')).toContain(refusedBy.saying);
    }
  });
});

describe('lint: import circles', () => {
  // backend.ts imports backend-choice.ts; importing it back closes a circle the rule must see,
  // which needs the resolver to find our extensionless .ts imports on disk.
  const choice = 'src/engine/backend-choice.ts';
  const source = readFileSync(join(root, choice), 'utf8');

  it('the engine backend modules form no circle as they are', async () => {
    expect(await problems(choice, source)).toEqual([]);
  });

  it('an import that closes a circle is an error', async () => {
    const found = await problems(choice, `${source}\nimport { initBackend } from './backend';\nexport const init = initBackend;\n`);
    expect(found.map((p) => p.rule)).toEqual(['import-x/no-cycle']);
  });

  it('a type-only import back is no circle (it is erased)', async () => {
    const found = await problems(choice, `${source}\nimport type { BackendRequest } from './backend';\nexport type Request = BackendRequest;\n`);
    expect(found).toEqual([]);
  });
});
