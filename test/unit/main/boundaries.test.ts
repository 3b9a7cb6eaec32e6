/** The design's import rules, checked on the source (eslint.config.js holds the full layering; this also runs without ESLint). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(name) ? [p] : [];
  });
}

const code = (file: string): string => readFileSync(file, 'utf8').replace(/\/\*[^]*?\*\/|\/\/.*$/gm, '');

const imports = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );

describe('boundaries', () => {
  it('only src/main/ipc and src/preload touch ipcMain / ipcRenderer', () => {
    const offenders = files('src').filter((f) => /\bipc(Main|Renderer)\b/.test(code(f)) && !/^src\/(main\/ipc|preload)\//.test(f));
    expect(offenders).toEqual([]);
  });

  it('src/shared imports nothing from node, electron or other layers', () => {
    for (const f of files('src/shared')) {
      for (const spec of imports(f)) expect(spec === 'zod' || /^\.\/[\w-]+$/.test(spec), `${f} imports ${spec}`).toBe(true);
      expect(code(f), f).not.toMatch(/\b(window|document|process)\./);
    }
  });

  it('the renderer imports only itself, src/shared (types and the wire codec), svelte, three and umap-js (in its web worker)', () => {
    for (const f of files('src/renderer')) {
      // Its tests sit beside the code (feature slices), their helpers in shell/testing: they also take vitest and the testing library.
      const isTest = f.endsWith('.test.ts') || f.startsWith(join('src', 'renderer', 'shell', 'testing'));
      for (const spec of imports(f)) {
        const ok = spec.startsWith('.')
          ? /^src\/(renderer|shared)\//.test(relative('.', resolve(dirname(f), spec)))
          : /^(svelte|three)(\/|$)/.test(spec) ||
            (spec === 'umap-js' && f.endsWith('.worker.ts')) ||
            (isTest && /^(vitest|@testing-library\/svelte)$/.test(spec));
        expect(ok, `${f} imports ${spec}`).toBe(true);
      }
    }
  });

  it('the engine never imports electron, svelte, three or the service', () => {
    for (const f of files('src/engine')) {
      for (const spec of imports(f)) expect(/^(electron|svelte|three)(\/|$)|service\//.test(spec), `${f} imports ${spec}`).toBe(false);
    }
  });

  it('the service knows the engine only through src/shared (the engine protocol)', () => {
    for (const f of files('src/service')) {
      for (const spec of imports(f)) expect(/(^|\/)engine\//.test(spec), `${f} imports ${spec}`).toBe(false);
    }
  });

  it('only src/renderer/lib/api.ts reaches the bridge or opens a socket', () => {
    const offenders = files('src/renderer').filter((f) => /window\.latentscape|new WebSocket/.test(code(f)) && !f.endsWith('lib/api.ts'));
    expect(offenders).toEqual([]);
  });

  it('the security module has no electron import (so it can be tested without Electron)', () => {
    expect(imports('src/main/security.ts').filter((s) => s.startsWith('electron'))).toEqual([]);
  });
});
