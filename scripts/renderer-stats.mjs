#!/usr/bin/env node
/**
 * The renderer's layout in numbers, for docs/ARCHITECTURE.md (issue 23), so they are measured, not
 * typed: files and lines per slice, the largest file, the components that take the whole root
 * (`useApp()`) outside the shell, the `data-*` test probes, the fields kept only for tests, and the
 * component tests.
 *
 *   node scripts/renderer-stats.mjs                 # the working tree
 *   node scripts/renderer-stats.mjs --rev 1c88d29   # a past commit (read with git, nothing checked out)
 *   node scripts/renderer-stats.mjs --json          # the same as JSON
 *   node scripts/renderer-stats.mjs --root DIR      # another checkout (its src/renderer)
 *
 * A probe is a data attribute other than data-testid written by a component: `data-x=` in markup,
 * or a `'data-x':` key of an attribute object handed to a child. The folders of src/renderer are
 * the slices; its own files are "(root)".
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const RENDERER = 'src/renderer';
const SOURCE = /\.(svelte|ts|js|mjs|css|html)$/;
const MAX_LINES = 450;

function parseArgs(argv) {
  const args = { root: process.cwd(), rev: null, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--rev' || a === '--root') {
      const value = argv[++i];
      if (!value) throw new Error(`${a} needs a value`);
      args[a.slice(2)] = value;
    } else throw new Error(`unknown argument ${a} (use --rev REV, --root DIR, --json)`);
  }
  return args;
}

/** The renderer's files as { path, text }: from the working tree, or from a commit through git. */
function readRenderer({ root, rev }) {
  if (rev) {
    const git = (...a) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const paths = git('ls-tree', '-r', '--name-only', rev, '--', RENDERER).split('\n').filter(Boolean);
    return paths.filter((p) => SOURCE.test(p)).map((path) => ({ path, text: git('show', `${rev}:${path}`) }));
  }
  const base = join(root, RENDERER);
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && SOURCE.test(d.name))
    .map((d) => {
      const full = join(d.parentPath, d.name);
      return { path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

const lineCount = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
const isTest = (path) => /\.test\.ts$/.test(path);
const isTestSupport = (path) => path.includes('/testing/');

/** `data-x=` in markup (not a CSS selector's `[data-x=`), or `'data-x':` as an object key. */
const PROBE = /(?<![[\w-])data-(?!testid\b)([a-z][a-z-]*)\s*=|['"]data-(?!testid['"])([a-z][a-z-]*)['"]\s*:/g;

function measure(files) {
  const slices = new Map();
  const sources = files.filter((f) => !isTest(f.path));
  for (const f of files) {
    const rest = f.path.slice(RENDERER.length + 1);
    const slice = rest.includes('/') ? rest.split('/')[0] : '(root)';
    const s = slices.get(slice) ?? { slice, files: 0, tests: 0, lines: 0 };
    s.files++;
    if (isTest(f.path)) s.tests++;
    s.lines += lineCount(f.text);
    slices.set(slice, s);
  }
  const largest = sources.map((f) => ({ path: f.path, lines: lineCount(f.text) })).sort((a, b) => b.lines - a.lines)[0] ?? null;
  const probes = [];
  for (const f of sources.filter((f) => !isTestSupport(f.path))) {
    for (const m of f.text.matchAll(PROBE)) probes.push({ path: f.path, name: `data-${m[1] ?? m[2]}` });
  }
  // A caller takes the root: `const app = useApp()` (not the declaration, not a comment).
  const callers = sources.filter((f) => /=\s*useApp\(\)/.test(f.text)).map((f) => f.path);
  const useAppOutsideShell = callers.filter((p) => !p.startsWith(`${RENDERER}/shell/`));
  const useAppInShell = callers.filter((p) => p.startsWith(`${RENDERER}/shell/`));
  const components = sources.filter((f) => f.path.endsWith('.svelte') && !isTestSupport(f.path)).length;
  const componentTests = files.filter((f) => f.path.endsWith('.component.test.ts'));
  return {
    files: files.length,
    lines: files.reduce((n, f) => n + lineCount(f.text), 0),
    slices: [...slices.values()].sort((a, b) => (a.slice === '(root)' ? 1 : b.slice === '(root)' ? -1 : b.lines - a.lines)),
    largest,
    overLimit: sources.filter((f) => lineCount(f.text) > MAX_LINES).map((f) => f.path),
    components,
    useAppOutsideShell,
    useAppInShell,
    probes: probes.length,
    probesByName: Object.fromEntries(
      [...probes.reduce((m, p) => m.set(p.name, (m.get(p.name) ?? 0) + 1), new Map())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    ),
    testOnlyFields: sources.reduce((n, f) => n + (f.text.match(/\(tests wait on it\)/g) ?? []).length, 0),
    componentTestFiles: componentTests.length,
    componentTests: componentTests.reduce((n, f) => n + (f.text.match(/^\s*it\(/gm) ?? []).length, 0),
    unitTestFiles: files.filter((f) => isTest(f.path) && !f.path.endsWith('.component.test.ts')).length,
  };
}

function print(stats, label) {
  const out = [`renderer ${label}: ${stats.files} files, ${stats.lines} lines`, '', '| slice | files (tests) | lines |', '| --- | --- | --- |'];
  for (const s of stats.slices) out.push(`| ${s.slice} | ${s.files} (${s.tests}) | ${s.lines} |`);
  out.push(
    '',
    `largest file: ${stats.largest ? `${stats.largest.path.slice(RENDERER.length + 1)}, ${stats.largest.lines} lines` : 'none'}`,
    `files over ${MAX_LINES} lines: ${stats.overLimit.length ? stats.overLimit.join(', ') : 'none'}`,
    `components taking the root (useApp()) outside shell/: ${stats.useAppOutsideShell.length} of ${stats.components}${stats.useAppOutsideShell.length ? ` (${stats.useAppOutsideShell.join(', ')})` : ''}; in shell/: ${stats.useAppInShell.length}`,
    `data-* test probes (besides data-testid): ${stats.probes}${
      stats.probes
        ? ` — ${Object.entries(stats.probesByName)
            .map(([n, c]) => `${n} ${c}`)
            .join(', ')}`
        : ''
    }`,
    `fields marked "(tests wait on it)": ${stats.testOnlyFields}`,
    `component tests: ${stats.componentTests} in ${stats.componentTestFiles} files; unit test files beside the code: ${stats.unitTestFiles}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`renderer-stats: ${err.message}\n`);
    process.exit(2);
  }
  args.root = resolve(args.root);
  const stats = measure(readRenderer(args));
  if (args.json) process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
  else print(stats, args.rev ? `at ${args.rev}` : 'in the working tree');
}

main();
