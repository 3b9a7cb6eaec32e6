/**
 * scripts/renderer-stats.mjs measures the renderer for docs/ARCHITECTURE.md: run for real on a small
 * made-up renderer, it counts files and lines per slice, the largest file, useApp() outside the
 * shell, the data-* probes (not data-testid, not a CSS selector), the fields kept for tests, and the
 * component tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts', 'renderer-stats.mjs');

const FILES: Record<string, string> = {
  'App.svelte': '<script>\n  const app = 1;\n</script>\n',
  'shell/StatusBar.svelte': '<script>\n  const app = useApp();\n</script>\n<b data-testid="backend" data-level={x}>b</b>\n',
  'shell/testing/Fake.svelte': '<i data-count={n}></i>\n',
  'explorer/Panel.svelte': [
    '<script>',
    '  const app = useApp();',
    '</script>',
    '<ul data-testid="list" data-count={n}>',
    '  <Image extra={{ \'data-seq\': 1, "data-source": s }} />',
    '</ul>',
    '<style>',
    "  li[data-state='on'] { color: red; }",
    '</style>',
    '',
  ].join('\n'),
  'explorer/view.svelte.ts': 'export class View {\n  /** Bumped per fetch (tests wait on it). */\n  fetches = 0;\n}\n',
  'explorer/Panel.component.test.ts': "it('one', () => {});\nit('two', () => {});\n",
  'explorer/math.test.ts': "it('three', () => {});\n",
};

let root = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'renderer-stats-'));
  for (const [path, text] of Object.entries(FILES)) {
    const full = join(root, 'src', 'renderer', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('renderer-stats', () => {
  it('measures slices, the largest file, useApp() outside the shell, probes and tests', () => {
    const stats = JSON.parse(execFileSync(process.execPath, [SCRIPT, '--root', root, '--json'], { encoding: 'utf8' }));
    expect(stats.slices).toEqual([
      { slice: 'explorer', files: 4, tests: 2, lines: 16 },
      { slice: 'shell', files: 2, tests: 0, lines: 5 },
      { slice: '(root)', files: 1, tests: 0, lines: 3 },
    ]);
    expect(stats.largest).toEqual({ path: 'src/renderer/explorer/Panel.svelte', lines: 9 });
    expect(stats.components).toBe(3);
    expect(stats.useAppOutsideShell).toEqual(['src/renderer/explorer/Panel.svelte']);
    expect(stats.useAppInShell).toEqual(['src/renderer/shell/StatusBar.svelte']);
    // data-count, data-seq, data-source in the panel and data-level in the bar; not the test support's.
    expect(stats.probes).toBe(4);
    expect(stats.probesByName).toEqual({ 'data-count': 1, 'data-level': 1, 'data-seq': 1, 'data-source': 1 });
    expect(stats.testOnlyFields).toBe(1);
    expect([stats.componentTestFiles, stats.componentTests, stats.unitTestFiles]).toEqual([1, 2, 1]);
  });

  it('refuses an unknown argument', () => {
    expect(() => execFileSync(process.execPath, [SCRIPT, '--nope'], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/unknown argument --nope/);
  });
});
