/**
 * `npm start`'s first step (scripts/ensure-electron.ts): the pure parts (install state, decision,
 * cache path, message) and the script itself run for real against a copy of the electron package
 * whose installer downloads from a mirror on 127.0.0.1 — once a mirror that lacks the file (exit 1
 * with the message), once a mirror that has a (stand-in) build (exit 0, path.txt written).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ELECTRON_DIR,
  PROJECT_ROOT,
  cacheRoot,
  cachedZipPath,
  decide,
  defaultCacheRoot,
  failureMessage,
  nodeTooOld,
  parseInstallOutput,
  platformExecutable,
  readInstallFacts,
  type InstallFacts,
} from '../../../scripts/electron-binary';
import { tempDir } from '../helpers';

const version = (JSON.parse(readFileSync(join(ELECTRON_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const installed: InstallFacts = { version, distVersion: version, pathTxt: 'electron', executableExists: true };
const never = (): boolean => false;

describe('decide: download or use', () => {
  it('a fresh install (no path.txt) downloads', () => {
    const d = decide({ ...installed, pathTxt: null, distVersion: null, executableExists: false }, '/e', 'linux', {}, never);
    expect(d).toEqual({ action: 'download', why: expect.stringContaining('path.txt is missing') });
  });
  it('a whole install of the package version is used as it is', () => {
    expect(decide(installed, '/e', 'linux', {}, never)).toEqual({ action: 'use', executable: join('/e', 'dist', 'electron'), why: 'installed' });
  });
  it('a dist of another version, another platform, or a missing executable downloads again', () => {
    expect(decide({ ...installed, distVersion: '44.0.0' }, '/e', 'linux', {}, never).action).toBe('download');
    expect(decide(installed, '/e', 'darwin', {}, never).action).toBe('download');
    expect(decide({ ...installed, executableExists: false }, '/e', 'linux', {}, never).action).toBe('download');
  });
  it("electron-vite's ELECTRON_EXEC_PATH is used when it exists, and is not silently ignored when it does not", () => {
    const fresh = { ...installed, pathTxt: null };
    expect(decide(fresh, '/e', 'linux', { ELECTRON_EXEC_PATH: '/opt/electron' }, (p) => p === '/opt/electron')).toMatchObject({
      action: 'use',
      executable: '/opt/electron',
    });
    expect(decide(fresh, '/e', 'linux', { ELECTRON_EXEC_PATH: '/opt/none' }, never)).toMatchObject({
      action: 'download',
      why: expect.stringContaining('/opt/none'),
    });
  });
  it('ELECTRON_OVERRIDE_DIST_PATH moves the executable, as in electron/index.js', () => {
    expect(decide(installed, '/e', 'linux', { ELECTRON_OVERRIDE_DIST_PATH: '/d' }, never)).toMatchObject({ executable: join('/d', 'electron') });
  });
  it('platform executables follow install.js', () => {
    expect(platformExecutable('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
    expect(platformExecutable('win32')).toBe('electron.exe');
    expect(() => platformExecutable('aix')).toThrow(/not available/);
  });
});

describe('the cache, as @electron/get computes it', () => {
  it('default folder equals env-paths("electron", { suffix: "" }).cache', async () => {
    const require = createRequire(join(ELECTRON_DIR, 'package.json'));
    const getDir = dirname(dirname(require.resolve('@electron/get')));
    const envPaths = (await import(pathToFileURL(createRequire(join(getDir, 'package.json')).resolve('env-paths')).href)).default as (
      n: string,
      o: { suffix: string },
    ) => { cache: string };
    expect(defaultCacheRoot(process.platform, process.env, homedir())).toBe(envPaths('electron', { suffix: '' }).cache);
    expect(cacheRoot('linux', { electron_config_cache: '/c' })).toBe('/c');
  });
  it('the zip path equals Cache.getCachePath (so a zip put there by hand is found)', async () => {
    const require = createRequire(join(ELECTRON_DIR, 'package.json'));
    const cacheJs = join(dirname(require.resolve('@electron/get')), 'Cache.js');
    const { Cache } = (await import(pathToFileURL(cacheJs).href)) as { Cache: new (root: string) => { getCachePath(url: string, file: string): string } };
    const url = `https://github.com/electron/electron/releases/download/v${version}/electron-v${version}-linux-x64.zip`;
    expect(cachedZipPath('/root/c', url)).toBe(new Cache('/root/c').getCachePath(url, `electron-v${version}-linux-x64.zip`));
  });
});

describe('the failure message', () => {
  const stderr = [
    '2026-01-01T00:00:00.000Z @electron/get:index Checking the cache (undefined) for electron-v1.zip (https://m/v1/electron-v1.zip)',
    '2026-01-01T00:00:00.001Z @electron/get:index Downloading https://m/v1/electron-v1.zip to /tmp/x/electron-v1.zip with options: undefined',
    'TypeError: fetch failed: ENOTFOUND getaddrinfo ENOTFOUND m',
    '    at async FetchDownloader.download (file:///x.js:46:30)',
  ].join('\n');

  it('reads the URL tried and the error from the installer', () => {
    expect(parseInstallOutput(stderr, 1)).toEqual({ url: 'https://m/v1/electron-v1.zip', error: 'TypeError: fetch failed: ENOTFOUND getaddrinfo ENOTFOUND m' });
    expect(parseInstallOutput('', 7).error).toMatch(/exited with code 7/);
    // debug's terminal format (no date, colour escapes, "+0ms"), as under Playwright's FORCE_COLOR.
    const tty =
      '  \u001b[36;1m@electron/get:index \u001b[0mDownloading https://m/v1/e.zip to /tmp/e.zip with options: undefined \u001b[36m+2ms\u001b[0m\nTypeError: fetch failed: ECONNRESET\n';
    expect(parseInstallOutput(tty, 1)).toEqual({ url: 'https://m/v1/e.zip', error: 'TypeError: fetch failed: ECONNRESET' });
    expect(parseInstallOutput('', null, 'SIGTERM').error).toMatch(/SIGTERM/);
  });

  it('says what failed, how to fix it (mirror, proxy, cache), and that `npm run serve` works; never "Electron uninstall"', () => {
    const outcome = parseInstallOutput(stderr, 1);
    const text = failureMessage({ version: '45.5.0', platform: 'linux', arch: 'x64', outcome, cacheRoot: '/c', nodeVersion: 'v24.1.0', env: {} });
    expect(text).toContain('What failed: TypeError: fetch failed: ENOTFOUND');
    expect(text).toContain('https://m/v1/electron-v1.zip');
    expect(text).toContain('ELECTRON_MIRROR=');
    expect(text).toContain('ELECTRON_GET_USE_PROXY=1 HTTPS_PROXY=');
    expect(text).toContain(cachedZipPath('/c', 'https://m/v1/electron-v1.zip'));
    expect(text).toContain('electron_config_cache');
    expect(text).toContain('`npm run serve` gives the same app in a browser');
    expect(text).not.toMatch(/uninstall/i);
    expect(text).not.toContain('Node:');
    const old = failureMessage({
      version: '45.5.0',
      platform: 'linux',
      arch: 'x64',
      outcome,
      cacheRoot: '/c',
      nodeVersion: 'v20.20.2',
      env: { ELECTRON_MIRROR: 'https://x/' },
    });
    expect(old).toContain('Node ≥ 22.12');
    expect(old).toContain('Mirror:      ELECTRON_MIRROR=https://x/');
  });

  it('Node versions below 22.12 are flagged', () => {
    expect([nodeTooOld('v20.19.0'), nodeTooOld('v22.11.9'), nodeTooOld('v22.12.0'), nodeTooOld('v24.0.0')]).toEqual([true, true, false, false]);
  });
});

// ---- the script, for real ----------------------------------------------------------------------

/** A copy of the electron package whose installer resolves @electron/get like the real one. */
function electronCopy(root: string): string {
  const dir = join(root, 'electron');
  mkdirSync(join(dir, 'node_modules', '@electron'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', '@electron-internal'), { recursive: true });
  for (const f of ['package.json', 'install.js', 'checksums.json']) copyFileSync(join(ELECTRON_DIR, f), join(dir, f));
  const require = createRequire(join(ELECTRON_DIR, 'package.json'));
  const packageRoot = (entry: string): string => {
    let d = dirname(entry);
    while (!existsSync(join(d, 'package.json'))) d = dirname(d);
    return d;
  };
  symlinkSync(packageRoot(require.resolve('@electron/get')), join(dir, 'node_modules', '@electron', 'get'), 'junction');
  symlinkSync(packageRoot(require.resolve('@electron-internal/extract-zip')), join(dir, 'node_modules', '@electron-internal', 'extract-zip'), 'junction');
  return dir;
}

/** A zip of stored (uncompressed) files: enough to stand in for Electron's release zip. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by unix, so the mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function runScript(electronDir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'ensure-electron.ts'), '--electron-dir', electronDir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.resume();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('scripts/ensure-electron.ts through Electron’s own installer', () => {
  const platform = process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'win32' : 'linux';
  const zipName = `electron-v${version}-${platform}-${process.arch}.zip`;
  const zip = storedZip({ [platformExecutable(platform)]: '#!/bin/sh\necho stand-in\n', version: `v${version}` });
  const requests: string[] = [];
  let server: Server;
  let mirror: string;
  let dirs: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dirs = await tempDir('latentscape-ensure-electron-');
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === `/full/v${version}/${zipName}`) return res.end(zip);
      if (req.url === `/full/v${version}/SHASUMS256.txt`) return res.end(`${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`);
      res.statusCode = 404;
      res.end('not here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await dirs.cleanup();
  });

  it('exits 1 with the message when the download fails, and never says "Electron uninstall"', async () => {
    const electronDir = electronCopy(join(dirs.path, 'failing'));
    const cache = join(dirs.path, 'cache-failing');
    const { code, stderr } = await runScript(electronDir, { ELECTRON_MIRROR: `${mirror}/empty/`, electron_config_cache: cache });
    expect(code).toBe(1);
    expect(requests).toContain(`/empty/v${version}/${zipName}`); // the mirror was honoured by Electron's installer
    expect(stderr).toContain(`What failed: HTTPError: Response code 404 (Not Found) for ${mirror}/empty/v${version}/${zipName}`);
    expect(stderr).toContain(`Cache:       ${cache}`);
    expect(stderr).toContain('ELECTRON_GET_USE_PROXY=1');
    expect(stderr).toContain('`npm run serve` gives the same app in a browser');
    expect(stderr).not.toMatch(/uninstall/i);
    expect(existsSync(join(electronDir, 'path.txt'))).toBe(false);
  });

  it('exits 0 once Electron’s installer has downloaded, checked and unpacked the build (path.txt written, cache filled)', async () => {
    const electronDir = electronCopy(join(dirs.path, 'working'));
    const cache = join(dirs.path, 'cache-working');
    // The stand-in zip is not the real release, so its checksum comes from the mirror's SHASUMS256.txt.
    const { code, stderr } = await runScript(electronDir, {
      ELECTRON_MIRROR: `${mirror}/full/`,
      electron_config_cache: cache,
      electron_use_remote_checksums: '1',
    });
    expect(stderr).not.toMatch(/What failed/);
    expect(code).toBe(0);
    expect(readFileSync(join(electronDir, 'path.txt'), 'utf8')).toBe(platformExecutable(platform));
    expect(statSync(join(electronDir, 'dist', platformExecutable(platform))).isFile()).toBe(true);
    expect(readInstallFacts(electronDir, platform)).toMatchObject({ version, distVersion: version, executableExists: true });
    expect(readdirSync(cache).length).toBe(1); // the zip is kept for next time
    // Second run: nothing to download.
    const before = requests.length;
    expect((await runScript(electronDir, { ELECTRON_MIRROR: `${mirror}/full/`, electron_config_cache: cache })).code).toBe(0);
    expect(requests.length).toBe(before);
  });
});
