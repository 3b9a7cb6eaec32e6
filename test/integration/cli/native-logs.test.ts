/**
 * Quiet by default: a command on native TensorFlow prints none of its C++ start-up log lines (the CPU
 * feature notice, and absl's and the oneDNN notices that no log level reaches: filtered out of stderr,
 * src/cli/filtered-stderr.ts) unless --verbose.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeMissing } from '../../native-status';
import { tempDir } from '../../unit/helpers';

const ROOT = join(__dirname, '..', '..', '..');
const missing = nativeMissing(ROOT);

/** The default model without its fitted density, so `sample` has something of its own to say on stderr. */
let plainModel = '';

function sample(out: string, ...extra: string[]): { code: number | null; stderr: string } {
  const env = { ...process.env };
  delete env.TF_CPP_MIN_LOG_LEVEL;
  delete env.LATENTSCAPE_BACKEND;
  // TensorFlow prints its oneDNN notice only where its oneDNN ops are on, by default only on CPUs with
  // AVX-512 VNNI and the like: on, it prints it on every CPU (an AMD EPYC with AVX2 printed none).
  env.TF_ENABLE_ONEDNN_OPTS = '1';
  const args = ['sample', '--model', plainModel, '--out', out, '--n', '4', '--backend', 'tensorflow', ...extra];
  // A later --backend wins (parseArgs keeps the last).
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'latentscape.js'), ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
  plainModel = join(dir.path, 'plain-model');
  await mkdir(plainModel);
  const builtin = join(ROOT, 'resources', 'default-model');
  await copyFile(join(builtin, 'weights.bin'), join(plainModel, 'weights.bin'));
  const { latentDensity: _density, sampleQuality: _quality, ...manifest } = JSON.parse(await readFile(join(builtin, 'manifest.json'), 'utf8'));
  await writeFile(join(plainModel, 'manifest.json'), JSON.stringify(manifest));
});
afterAll(() => dir.cleanup());

describe.skipIf(missing)(`native TensorFlow's log${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('is quiet by default and shows with --verbose', () => {
    const quiet = sample(join(dir.path, 'quiet.png'));
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/cpu_feature_guard|This TensorFlow binary is optimized/);
    expect(quiet.stderr).not.toMatch(/oneDNN|absl::InitializeLog|port\.cc/);
    // What the command itself says still comes through.
    expect(quiet.stderr).toContain('this model has no fitted latent density');
    const verbose = sample(join(dir.path, 'verbose.png'), '--verbose');
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/cpu_feature_guard/);
    expect(verbose.stderr).toMatch(/oneDNN custom operations are on/);
  });

  it("`serve --verbose` passes on the engine process's lines", async () => {
    // A stand-in page: the renderer need not be built for the engine to start.
    const page = join(dir.path, 'renderer');
    await mkdir(page, { recursive: true });
    await writeFile(join(page, 'index.html'), '<html></html>');
    const env: NodeJS.ProcessEnv = { ...process.env, LATENTSCAPE_BACKEND: 'tensorflow', LATENTSCAPE_RENDERER_DIR: page };
    delete env.TF_CPP_MIN_LOG_LEVEL;
    delete env.LATENTSCAPE_DEBUG;
    const args = ['serve', '--verbose', '--json', '--port', '0', '--data-dir', join(dir.path, 'data'), '--allow', dir.path];
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'latentscape.js'), ...args], { env });
    let stderr = '';
    const seen = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      child.once('exit', () => resolve(false));
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        if (stderr.includes('cpu_feature_guard')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    try {
      expect(await seen, stderr.slice(0, 2000)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});

describe("the cpu backend's advertisement for tfjs-node", () => {
  it('is not printed', () => {
    const r = sample(join(dir.path, 'cpu.png'), '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/looks like you are running TensorFlow\.js in Node|====/);
  });
});
