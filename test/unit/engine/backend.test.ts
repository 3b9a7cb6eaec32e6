/**
 * The backend choice with the real engine code, each case in its own process (a backend choice is
 * once per process): tfjs-node missing, a tensorflow backend whose first op throws, one that computes
 * wrong numbers. LATENTSCAPE_TFJS_NODE points the engine at stand-ins (test/fixtures).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { withoutPaths } from '../../../src/engine/backend';
import { restoreNodeUtil } from '../../../src/engine/node-util-shim';
import { runCli, tempDir } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..');
const BROKEN = join(ROOT, 'test', 'fixtures', 'broken-tfjs-node.cjs');
/** Dawn's stand-in with no adapter: webgpu is passed over first, the same way on every machine (backend-webgpu.test.ts covers it). */
const NO_WEBGPU = { LATENTSCAPE_WEBGPU_MODULE: join(ROOT, 'test', 'fixtures', 'webgpu-standin.mjs'), WEBGPU_STANDIN: 'no-adapter' };
const NO_ADAPTER = 'webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)';

interface Choice {
  name?: string;
  fallbacks?: string[];
  error?: string;
}

function choose(env: NodeJS.ProcessEnv, request = 'auto'): Choice {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'choose-backend.ts'), request], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LATENTSCAPE_BACKEND: '', ...NO_WEBGPU, ...env },
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no choice printed (exit ${r.status}): ${r.stderr.slice(0, 1000)}`);
  return JSON.parse(line) as Choice;
}

describe('the backend choice', () => {
  it('falls back to wasm with the reason when tfjs-node is not installed', () => {
    const c = choose({ LATENTSCAPE_TFJS_NODE: '@latentscape/no-such-tfjs-node' });
    expect(c.name).toBe('wasm');
    expect(c.fallbacks).toHaveLength(2);
    expect(c.fallbacks?.[0]).toBe(NO_ADAPTER);
    expect(c.fallbacks?.[1]).toMatch(
      /^tensorflow: tfjs-node is not installed or failed to load \(Cannot find (module|package) '@latentscape\/no-such-tfjs-node'/,
    );
  });

  it('falls back when the tensorflow backend loads but its first op throws', () => {
    const c = choose({ LATENTSCAPE_TFJS_NODE: BROKEN, BROKEN_TFJS_NODE: 'throw' });
    expect(c.name).toBe('wasm');
    expect(c.fallbacks).toEqual([NO_ADAPTER, 'tensorflow: smoke check threw: (0 , util_1.isNullOrUndefined) is not a function']);
  });

  it('falls back when the tensorflow backend computes numbers that differ from cpu', () => {
    const c = choose({ LATENTSCAPE_TFJS_NODE: BROKEN, BROKEN_TFJS_NODE: 'wrong' });
    expect(c.name).toBe('wasm');
    expect(c.fallbacks?.[1]).toMatch(/^tensorflow: smoke check differs from cpu: /);
  });

  it('refuses an explicitly requested backend that fails, saying why', () => {
    const c = choose({ LATENTSCAPE_TFJS_NODE: BROKEN, BROKEN_TFJS_NODE: 'throw' }, 'tensorflow');
    expect(c.error).toBe('no usable tfjs backend (tensorflow: smoke check threw: (0 , util_1.isNullOrUndefined) is not a function)');
  });

  it('names the backends passed over in every CLI JSON line', async () => {
    const dir = await tempDir();
    try {
      const r = runCli(['train', '--data', 'mnist', '--latent', '2', '--epochs', '1', '--limit', '100', '--out', join(dir.path, 'm'), '--json'], {
        LATENTSCAPE_BACKEND: '',
        LATENTSCAPE_TFJS_NODE: BROKEN,
        BROKEN_TFJS_NODE: 'throw',
        ...NO_WEBGPU,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.lines.length).toBeGreaterThan(1);
      for (const line of r.lines) {
        expect(line.backend).toBe('wasm');
        expect(line.fallbacks).toEqual([NO_ADAPTER, 'tensorflow: smoke check threw: (0 , util_1.isNullOrUndefined) is not a function']);
      }
    } finally {
      await dir.cleanup();
    }
  });
});

describe('fallback reasons', () => {
  it('keep install locations out', () => {
    expect(withoutPaths("Cannot find module '/home/ann/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'")).toBe(
      "Cannot find module 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'",
    );
    expect(withoutPaths('libtensorflow.so.2: cannot open shared object file (/opt/x/deps/lib/libtensorflow.so.2)')).toBe(
      'libtensorflow.so.2: cannot open shared object file (…/libtensorflow.so.2)',
    );
    expect(withoutPaths('C:\\Users\\ann\\app\\node_modules\\@tensorflow\\tfjs-node\\x.node')).toBe('node_modules/@tensorflow\\tfjs-node\\x.node');
  });
});

describe('restoreNodeUtil', () => {
  it('puts back util.isNullOrUndefined where Node removed it (Node ≥ 23), and leaves present ones alone', () => {
    const u = util as unknown as Record<string, unknown>;
    const saved = u.isNullOrUndefined;
    const isArray = u.isArray;
    delete u.isNullOrUndefined;
    try {
      expect(restoreNodeUtil()).toContain('isNullOrUndefined');
      const fn = u.isNullOrUndefined as (v: unknown) => boolean;
      expect([null, undefined, 0, '', false, []].map(fn)).toEqual([true, true, false, false, false, false]);
      expect(u.isArray).toBe(isArray);
      expect(restoreNodeUtil()).toEqual([]);
    } finally {
      if (saved === undefined) delete u.isNullOrUndefined;
      else u.isNullOrUndefined = saved;
    }
  });
});

describe('the smoke check', () => {
  it('leaves no tensor behind, passed or not', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { initBackend } = await import('../../../src/engine/backend');
    const { smokeCheck } = await import('../../../src/engine/backend-smoke');
    await initBackend('cpu');
    const before = tf.memory().numTensors;
    expect(await smokeCheck('cpu')).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });
});
