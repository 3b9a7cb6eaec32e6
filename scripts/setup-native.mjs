#!/usr/bin/env node
/**
 * `npm run setup:native` — for developers and CI, not for users. Makes the native `tensorflow`
 * backend real on this machine without the downloads tfjs-node's own install script makes (from a
 * host that is not a package registry, unreachable on our CI machines):
 *
 * 1. @tensorflow/tfjs-node's files, exactly as the lock file pins them, without its install script.
 *    (npm ci runs that script — package.json's allowScripts approves it — and when it cannot
 *    download, npm drops the optional package and its dependencies again.)
 * 2. TensorFlow's C library and C headers from PyPI's `tensorflow-cpu` wheel (`pip download
 *    --no-deps`, pinned by version and sha256, cached outside the repo).
 * 3. tfjs-node's addon, built with node-gyp from the binding.gyp and C++ sources its npm package
 *    ships, into lib/napi-v<N>/tfjs_binding.node where its loader (node-pre-gyp's `find`) looks.
 * 4. A check: the engine's own backend choice, asked for `tensorflow`, must pass its smoke check.
 *
 * The wheel: tfjs-node 4.22.0 was built against libtensorflow 2.9.1, but the 2.9.1 wheel has its C
 * API only inside the Python extension (_pywrap_tensorflow_internal.so, which needs libpython).
 * Newer wheels ship libtensorflow_cc.so.2, which exports the whole C and eager C API; TensorFlow
 * keeps that API backward compatible, and every TF_/TFE_ function the binding calls is exported by
 * 2.21.0 (checked with `nm -D`; the TF_TString_* ones are inline in the headers). binding.gyp links
 * `-ltensorflow -ltensorflow_framework` from deps/lib with rpath $ORIGIN/../../deps/lib, so deps/lib
 * gets the wheel's two libraries under their sonames plus the link-time names pointing at them.
 *
 * Re-running is cheap: a stamp in deps/ records what was laid out and built.
 * Environment: LATENTSCAPE_NATIVE_CACHE (wheel cache folder), PYTHON (default python3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TFJS_NODE = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');
const TFJS_NODE_VERSION = '4.22.0';

const WHEEL = {
  name: 'tensorflow-cpu',
  version: '2.21.0',
  file: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
  sha256: '2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c',
  // pip picks the wheel by these tags, whatever Python this machine has: only its files are used.
  pythonVersion: '3.11',
  platform: 'manylinux_2_27_x86_64',
};
/** The wheel's members that deps/ needs: the two libraries and the headers binding/*.cc include. */
const WHEEL_LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
const WHEEL_HEADER_DIRS = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'xla/tsl/c/'];
/** Names binding.gyp links (-ltensorflow, -ltensorflow_framework) and the one tfjs-node's install.js
 * looks for before downloading (deps-constants.js: libtensorflow.so.<LIBTENSORFLOW_VERSION>). */
const LINK_NAMES = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so.2.9.1': 'libtensorflow_framework.so.2',
};

const log = (message) => process.stdout.write(`[setup:native] ${message}\n`);

function fail(step, message) {
  process.stderr.write(`[setup:native] FAILED at ${step}: ${message}\n`);
  process.exit(1);
}

function run(step, command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.error) fail(step, `${command} could not start (${r.error.message})`);
  if (r.status !== 0) fail(step, `${command} ${args.slice(0, 3).join(' ')} … exited with ${r.status ?? r.signal}`);
}

function cacheDir() {
  if (process.env.LATENTSCAPE_NATIVE_CACHE) return process.env.LATENTSCAPE_NATIVE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'latentscape', 'native');
}

async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

// ---- 1. tfjs-node's files ----

function installedTfjsNodeVersion() {
  try {
    return JSON.parse(readFileSync(join(TFJS_NODE, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function ensureTfjsNode() {
  if (installedTfjsNodeVersion() === TFJS_NODE_VERSION) return;
  log(`@tensorflow/tfjs-node is not in node_modules: installing what package-lock.json pins, without install scripts`);
  // No arguments: npm adds exactly the lock's packages that are missing; --no-save leaves
  // package.json and package-lock.json untouched; --ignore-scripts skips tfjs-node's download.
  const npm = process.env.npm_execpath;
  const [cmd, pre] = npm ? [process.execPath, [npm]] : ['npm', []];
  run('installing @tensorflow/tfjs-node', cmd, [...pre, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ROOT });
  const got = installedTfjsNodeVersion();
  if (got !== TFJS_NODE_VERSION) fail('installing @tensorflow/tfjs-node', `expected ${TFJS_NODE_VERSION} in node_modules, found ${got ?? 'nothing'}`);
}

// ---- 2. the wheel ----

async function fetchWheel() {
  const dir = join(cacheDir(), 'wheels');
  const wheel = join(dir, WHEEL.file);
  if (existsSync(wheel) && (await sha256(wheel)) === WHEEL.sha256) return wheel;
  mkdirSync(dir, { recursive: true });
  const requirements = join(dir, `${WHEEL.name}-${WHEEL.version}.requirements.txt`);
  writeFileSync(requirements, `${WHEEL.name}==${WHEEL.version} --hash=sha256:${WHEEL.sha256}\n`);
  log(`downloading ${WHEEL.name} ${WHEEL.version} from PyPI (~270 MB, once) into ${dir}`);
  const python = process.env.PYTHON || 'python3';
  // prettier-ignore
  run('pip download of the tensorflow-cpu wheel', python, [
    '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes', '--disable-pip-version-check',
    '--python-version', WHEEL.pythonVersion, '--platform', WHEEL.platform, '-d', dir, '-r', requirements,
  ]);
  if (!existsSync(wheel)) fail('pip download of the tensorflow-cpu wheel', `pip finished but ${WHEEL.file} is not in ${dir}`);
  return wheel;
}

/** Unpacks the members deps/ needs, once per wheel, into the cache. */
function extractWheel(wheel) {
  const dir = join(cacheDir(), `${WHEEL.name}-${WHEEL.version}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  log(`unpacking libtensorflow and its C headers from the wheel`);
  rmSync(dir, { recursive: true, force: true });
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const script = `
import sys, zipfile
wheel, out, libs, dirs = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    want = ['tensorflow/' + l for l in libs] + [n for n in names if n.startswith('tensorflow/include/') and n[len('tensorflow/include/'):].startswith(tuple(dirs)) and not n.endswith('/')]
    missing = [n for n in want if n not in names]
    if missing:
        sys.exit('the wheel lacks ' + ', '.join(missing))
    for n in want:
        z.extract(n, out)
`;
  run('unpacking the wheel', process.env.PYTHON || 'python3', ['-c', script, wheel, partial, WHEEL_LIBS.join(','), WHEEL_HEADER_DIRS.join(',')]);
  renameSync(partial, dir);
  writeFileSync(done, `${WHEEL.file}\n`);
  return dir;
}

// ---- 3. deps/ and the addon ----

function placeFile(from, to) {
  rmSync(to, { force: true });
  try {
    linkSync(from, to); // same file system: no 800 MB copy
  } catch {
    copyFileSync(from, to);
  }
}

function copyTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name));
    else copyFileSync(join(from, entry.name), join(to, entry.name));
  }
}

function layOutDeps(extracted) {
  const deps = join(TFJS_NODE, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  for (const lib of WHEEL_LIBS) placeFile(join(extracted, 'tensorflow', lib), join(deps, 'lib', lib));
  for (const [name, target] of Object.entries(LINK_NAMES)) symlinkSync(target, join(deps, 'lib', name));
  copyTree(join(extracted, 'tensorflow', 'include'), join(deps, 'include'));
}

/** What node-pre-gyp's `find` (tfjs-node's loader) picks: the highest N-API version both support. */
function napiBuildVersion(binary) {
  const supported = Number(process.versions.napi);
  const usable = binary.napi_versions.filter((v) => v <= supported);
  if (!usable.length) fail('building the addon', `this Node supports N-API ${supported}, tfjs-node needs one of ${binary.napi_versions}`);
  return Math.max(...usable);
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  // npm ships node-gyp (it builds every gyp package's install with it).
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    const npmBin = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    candidates.push(join(npmBin, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // no global npm on PATH
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) fail('building the addon', 'node-gyp not found (it comes with npm; run this through `npm run setup:native`)');
  return found;
}

/** Node's headers: the ones installed beside this node binary, else node-gyp fetches them. */
function nodeDirArgs() {
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

function buildAddon() {
  const pkg = JSON.parse(readFileSync(join(TFJS_NODE, 'package.json'), 'utf8'));
  const napi = napiBuildVersion(pkg.binary);
  const modulePath = join(TFJS_NODE, pkg.binary.module_path.replace('{napi_build_version}', String(napi)));
  log(`building tfjs_binding.node (N-API ${napi}) with node-gyp from tfjs-node's binding.gyp`);
  // The variables node-pre-gyp would pass to node-gyp (binding.gyp uses all three).
  // prettier-ignore
  run('building the addon', process.execPath, [
    nodeGyp(), 'rebuild', `--directory=${TFJS_NODE}`, ...nodeDirArgs(),
    `--napi_build_version=${napi}`, `--module_name=${pkg.binary.module_name}`, `--module_path=${modulePath}`,
  ], { env: { ...process.env, npm_config_loglevel: 'warn' } });
  const addon = join(modulePath, `${pkg.binary.module_name}.node`);
  if (!existsSync(addon)) fail('building the addon', `node-gyp finished but ${relative(ROOT, addon)} is missing`);
  // node-gyp's objects and a second copy of the addon: nothing loads them, and packaging would ship them.
  rmSync(join(TFJS_NODE, 'build'), { recursive: true, force: true });
  return addon;
}

// ---- 4. the check ----

function checkBackend() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'choose-backend.ts'), 'tensorflow'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LATENTSCAPE_BACKEND: '', LATENTSCAPE_TFJS_NODE: '' },
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  const choice = line ? JSON.parse(line) : { error: `no answer (exit ${r.status}): ${(r.stderr ?? '').slice(-500)}` };
  if (choice.name !== 'tensorflow') fail('checking the tensorflow backend', choice.error ?? JSON.stringify(choice));
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      'platform',
      `the PyPI wheel route is set up for linux-x64 only (this is ${process.platform}-${process.arch}); tfjs-node's own install (npm rebuild @tensorflow/tfjs-node) covers the others`,
    );
  }
  ensureTfjsNode();
  const stampPath = join(TFJS_NODE, 'deps', '.latentscape-native.json');
  const stamp = { wheel: WHEEL.file, sha256: WHEEL.sha256, tfjsNode: TFJS_NODE_VERSION };
  const previous = existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : '';
  const pkg = JSON.parse(readFileSync(join(TFJS_NODE, 'package.json'), 'utf8'));
  const addon = join(TFJS_NODE, pkg.binary.module_path.replace('{napi_build_version}', String(napiBuildVersion(pkg.binary))), `${pkg.binary.module_name}.node`);
  if (previous === JSON.stringify(stamp) && existsSync(addon)) {
    log('libtensorflow and the addon are in place (stamp matches)');
  } else {
    const wheel = await fetchWheel();
    const extracted = extractWheel(wheel);
    layOutDeps(extracted);
    buildAddon();
    writeFileSync(stampPath, JSON.stringify(stamp));
  }
  checkBackend();
  log(`ok: the tensorflow backend passes the engine's smoke check (libtensorflow from ${WHEEL.name} ${WHEEL.version})`);
}

main().catch((err) => fail('setup', err.stack ?? String(err)));
