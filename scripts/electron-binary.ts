/**
 * Electron's binary for `npm start` and the Electron e2e specs.
 *
 * electron ≥ 43 no longer downloads its binary when it is installed: `require('electron')` does it the
 * first time it runs (node_modules/electron/index.js spawns the package's own install.js, which
 * downloads through @electron/get — ELECTRON_MIRROR, ELECTRON_GET_USE_PROXY + HTTPS_PROXY and the
 * cache `electron_config_cache` all apply — unzips into dist/ and writes path.txt). electron-vite only
 * reads path.txt and says "Electron uninstall" when it is missing. So we run that same install.js
 * ourselves before electron-vite starts, and turn its failure into a message that says what to do.
 *
 * The pure parts (install state, decision, message) are exported for the unit tests.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..');
export const ELECTRON_DIR = join(PROJECT_ROOT, 'node_modules', 'electron');

/** The executable inside dist/ per platform: install.js's getPlatformPath. */
export function platformExecutable(platform: string): string {
  switch (platform) {
    case 'mas':
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'freebsd':
    case 'openbsd':
    case 'linux':
      return 'electron';
    case 'win32':
      return 'electron.exe';
    default:
      throw new Error(`Electron builds are not available on platform: ${platform}`);
  }
}

/** What is on disk in node_modules/electron (the same checks as install.js's isInstalled). */
export interface InstallFacts {
  /** electron's package.json version. */
  version: string;
  /** dist/version without the leading v, or null when missing. */
  distVersion: string | null;
  /** path.txt's content, or null when missing. */
  pathTxt: string | null;
  /** Whether the executable path.txt (or the expected one) names exists. */
  executableExists: boolean;
}

export function readInstallFacts(electronDir: string, platform: string = process.platform, env: NodeJS.ProcessEnv = process.env): InstallFacts {
  const read = (file: string): string | null => {
    try {
      return readFileSync(join(electronDir, file), 'utf8');
    } catch {
      return null;
    }
  };
  const version = (JSON.parse(read('package.json') ?? '{}') as { version?: string }).version ?? 'unknown';
  const pathTxt = read('path.txt');
  const distRoot = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  return {
    version,
    distVersion: read(join('dist', 'version'))?.trim().replace(/^v/, '') ?? null,
    pathTxt,
    executableExists: existsSync(join(distRoot, pathTxt ?? platformExecutable(platform))),
  };
}

export type ElectronDecision = { action: 'use'; executable: string; why: string } | { action: 'download'; why: string };

/**
 * Whether Electron can start as it is, or its download must run first. ELECTRON_EXEC_PATH is
 * electron-vite's own override (an Electron the user already has); otherwise the package's
 * binary counts only when it is whole and of the package's version, as install.js judges it.
 */
export function decide(
  facts: InstallFacts,
  electronDir: string,
  platform: string,
  env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = existsSync,
): ElectronDecision {
  if (env.ELECTRON_EXEC_PATH) {
    if (exists(env.ELECTRON_EXEC_PATH)) return { action: 'use', executable: env.ELECTRON_EXEC_PATH, why: 'ELECTRON_EXEC_PATH' };
    return { action: 'download', why: `ELECTRON_EXEC_PATH names ${env.ELECTRON_EXEC_PATH}, which does not exist` };
  }
  const expected = platformExecutable(platform);
  if (facts.pathTxt === null) return { action: 'download', why: 'not downloaded yet (node_modules/electron/path.txt is missing)' };
  if (facts.pathTxt !== expected) return { action: 'download', why: `path.txt names ${facts.pathTxt}, not ${expected}` };
  if (facts.distVersion !== facts.version.replace(/^v/, ''))
    return { action: 'download', why: `dist/ holds Electron ${facts.distVersion ?? '(none)'}, the package is ${facts.version}` };
  if (!facts.executableExists) return { action: 'download', why: 'the executable named by path.txt is missing' };
  const distRoot = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  return { action: 'use', executable: join(distRoot, facts.pathTxt), why: 'installed' };
}

/** @electron/get's default cache folder (env-paths('electron', { suffix: '' }).cache). */
export function defaultCacheRoot(platform: string, env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'electron');
}

export function cacheRoot(platform: string, env: NodeJS.ProcessEnv, home?: string): string {
  return env.electron_config_cache || defaultCacheRoot(platform, env, home);
}

/** Where @electron/get looks for a download of `url` in its cache (Cache.getCachePath). */
export function cachedZipPath(root: string, url: string): string {
  const parsed = new URL(url);
  const fileName = posix.basename(parsed.pathname);
  parsed.hash = '';
  parsed.search = '';
  parsed.pathname = posix.dirname(parsed.pathname);
  return join(root, createHash('sha256').update(parsed.toString()).digest('hex'), fileName);
}

/** What install.js's stderr (with DEBUG=@electron/get:index) tells: the URL tried and the error. */
export interface InstallOutcome {
  url: string | null;
  error: string;
}

// debug's line: "<ISO date> @electron/get:index …", or "  @electron/get:index … +0ms" when it thinks it
// writes to a terminal (FORCE_COLOR, as under Playwright), maybe with colour escapes.
const DEBUG_LINE = /^\s*(?:\S+ )?@electron\/get:\S+ /;
// eslint-disable-next-line no-control-regex -- matching the ESC of colour escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export function isDebugLine(line: string): boolean {
  return DEBUG_LINE.test(line.replace(ANSI, ''));
}

export function parseInstallOutput(stderr: string, exitCode: number | null, signal: string | null = null): InstallOutcome {
  const lines = stderr.replace(ANSI, '').split(/\r?\n/);
  let url: string | null = null;
  for (const line of lines) {
    const m = /@electron\/get:index (?:Downloading (\S+) to |Checking the cache \(.*?\) for \S+ \((\S+)\))/.exec(line);
    if (m) url = m[1] ?? m[2] ?? url;
  }
  const errorLine = lines.map((l) => l.trim()).find((l) => l && !isDebugLine(l) && !/^at /.test(l) && l !== 'Downloading Electron binary...');
  const fallback = signal ? `the download was stopped by ${signal}` : `Electron's installer exited with code ${exitCode}`;
  return { url, error: errorLine ?? fallback };
}

export interface FailureFacts {
  version: string;
  platform: string;
  arch: string;
  outcome: InstallOutcome;
  cacheRoot: string;
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
}

/** Node the way Electron 45's installer (@electron/get 5) declares it: ≥ 22.12. */
export function nodeTooOld(nodeVersion: string): boolean {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 12);
}

/** The message `npm start` prints when Electron's binary cannot be had. */
export function failureMessage(f: FailureFacts): string {
  const zip = `electron-v${f.version}-${f.platform}-${f.arch}.zip`;
  const url = f.outcome.url;
  const lines = [
    `Electron ${f.version} (${f.platform}-${f.arch}) is not installed yet, and downloading it failed.`,
    '',
    `  What failed: ${f.outcome.error}`,
    `  From:        ${url ?? '(the installer stopped before it chose a URL)'}`,
    `  Cache:       ${f.cacheRoot} (looked in first; no ${zip} there)`,
  ];
  if (f.env.ELECTRON_MIRROR) lines.push(`  Mirror:      ELECTRON_MIRROR=${f.env.ELECTRON_MIRROR}`);
  if (nodeTooOld(f.nodeVersion)) lines.push(`  Node:        ${f.nodeVersion}; Electron's installer needs Node ≥ 22.12 (24 recommended)`);
  lines.push(
    '',
    'Fix one of these, then run `npm start` again:',
    '  - a mirror:  ELECTRON_MIRROR=https://your.mirror/electron/ npm start',
    `               (add ELECTRON_CUSTOM_DIR if its folders are not named v${f.version})`,
    '  - a proxy:   ELECTRON_GET_USE_PROXY=1 HTTPS_PROXY=http://proxy:port npm start',
    `  - by hand:   get ${zip} elsewhere and put it at`,
    `               ${url ? cachedZipPath(f.cacheRoot, url) : join(f.cacheRoot, '<sha256 of the URL folder>', zip)}`,
    '               (electron_config_cache=DIR chooses another cache folder)',
    '  README.md, "When a download is blocked", says more.',
    '',
    'Without Electron, `npm run serve` gives the same app in a browser.',
  );
  return lines.join('\n');
}

export type EnsureResult = { ok: true; executable: string; downloaded: boolean } | { ok: false; message: string; outcome: InstallOutcome };

export interface EnsureOptions {
  electronDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the installer's own lines (and a heartbeat) to stderr, as `npm start` does. */
  echo?: boolean;
}

/**
 * Gets Electron's binary through Electron's own installer (node_modules/electron/install.js, the
 * script `require('electron')` runs on first use) unless it is already there.
 */
export async function ensureElectron(options: EnsureOptions = {}): Promise<EnsureResult> {
  const electronDir = options.electronDir ?? ELECTRON_DIR;
  const env = options.env ?? process.env;
  const platform = env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || process.platform;
  const arch = env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch;
  const before = decide(readInstallFacts(electronDir, platform, env), electronDir, platform, env);
  if (before.action === 'use') return { ok: true, executable: before.executable, downloaded: false };

  const facts = readInstallFacts(electronDir, platform, env);
  const say = (text: string): void => {
    if (options.echo) process.stderr.write(`${text}\n`);
  };
  say(`Electron ${facts.version}: ${before.why}; downloading it through Electron's installer (about 110 MB, once) …`);
  const started = Date.now();
  const { code, signal, stderr } = await runInstaller(electronDir, env, (line) => say(line));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const after = decide(readInstallFacts(electronDir, platform, env), electronDir, platform, env);
  if (code === 0 && after.action === 'use') {
    say(`Electron ${facts.version} is installed (${seconds} s): ${after.executable}`);
    return { ok: true, executable: after.executable, downloaded: true };
  }
  const outcome = parseInstallOutput(stderr, code, signal);
  if (code === 0) outcome.error = `the installer finished but Electron is still missing: ${after.why}`;
  const message = failureMessage({ version: facts.version, platform, arch, outcome, cacheRoot: cacheRoot(platform, env), nodeVersion: process.version, env });
  return { ok: false, message, outcome };
}

function runInstaller(
  electronDir: string,
  env: NodeJS.ProcessEnv,
  echo: (line: string) => void,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  // DEBUG makes @electron/get name the URL it tries and the cache it checks; those lines are read,
  // not shown (unless the user asked for DEBUG output). The hook adds fetch's cause (ECONNREFUSED,
  // ENOTFOUND, …) to its bare "fetch failed".
  const userDebug = env.DEBUG;
  const childEnv = { ...env, DEBUG: [userDebug, '@electron/get:index'].filter(Boolean).join(','), DEBUG_COLORS: env.DEBUG_COLORS ?? 'no' };
  const child = spawn(process.execPath, ['--require', join(here, 'electron-fetch-cause.cjs'), join(electronDir, 'install.js')], {
    env: childEnv,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  // The installer's own lines are shown as they come, without stack frames (the message says it all).
  const shown = (line: string): boolean => line.trim() !== '' && !/^\s+at /.test(line) && (Boolean(userDebug) || !isDebugLine(line));
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    pending += chunk;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (shown(line)) echo(line);
  });
  const started = Date.now();
  const heartbeat = setInterval(() => echo(`  … still downloading (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
  return new Promise((resolvePromise) => {
    child.on('error', (err) => {
      clearInterval(heartbeat);
      resolvePromise({ code: null, signal: null, stderr: `${stderr}\n${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      if (shown(pending)) echo(pending);
      resolvePromise({ code, signal, stderr });
    });
  });
}
