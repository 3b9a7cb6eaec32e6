/**
 * The webgpu backend's place in the choice, with the real engine code, each case in its own process
 * (a backend choice is once per process). LATENTSCAPE_WEBGPU_MODULE points the engine at a stand-in
 * for Dawn's package (test/fixtures/webgpu-standin.mjs): missing, failing to load, finding no adapter,
 * or Dawn's real adapter (SwiftShader here) under another adapter's name. Native TensorFlow is left
 * out (a missing stand-in), so the next backend is always wasm.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { softwareAdapterEnv, webgpuMissing } from '../../webgpu-status';

const ROOT = join(__dirname, '..', '..', '..');
const STANDIN = join(ROOT, 'test', 'fixtures', 'webgpu-standin.mjs');
const NVIDIA = { vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4090' };

interface Choice {
  name?: string;
  fallbacks?: string[];
  adapter?: string;
  noGpu?: string;
  error?: string;
}

function choose(env: NodeJS.ProcessEnv, request = 'auto'): Choice {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'choose-backend.ts'), request], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...softwareAdapterEnv(), LATENTSCAPE_BACKEND: '', LATENTSCAPE_TFJS_NODE: '@latentscape/no-such-tfjs-node', ...env },
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no choice printed (exit ${r.status}, signal ${r.signal}): ${r.stderr.slice(0, 1000)}`);
  return JSON.parse(line) as Choice;
}

describe('the webgpu backend in the choice', () => {
  it('is passed over with why when the webgpu package is missing', () => {
    const c = choose({ LATENTSCAPE_WEBGPU_MODULE: '@latentscape/no-such-webgpu' });
    expect(c.name).toBe('wasm');
    expect(c.fallbacks?.[0]).toMatch(
      /^webgpu: the webgpu package \(Dawn\) is not installed or failed to load \(Cannot find (module|package) '@latentscape\/no-such-webgpu'/,
    );
  });

  it('is passed over with why when the package fails to load', () => {
    const c = choose({ LATENTSCAPE_WEBGPU_MODULE: STANDIN, WEBGPU_STANDIN: 'throw' });
    expect(c.name).toBe('wasm');
    expect(c.fallbacks?.[0]).toBe('webgpu: the webgpu package (Dawn) is not installed or failed to load (dawn.node: wrong ELF class: ELFCLASS32)');
    // A Dawn that fails to load is a fault to warn of, not the ordinary "no GPU".
    expect(c.noGpu).toBeUndefined();
  });

  it('is passed over with why when Dawn finds no adapter, and refused with why when asked for', () => {
    const env = { LATENTSCAPE_WEBGPU_MODULE: STANDIN, WEBGPU_STANDIN: 'no-adapter' };
    const auto = choose(env);
    expect(auto.name).toBe('wasm');
    expect(auto.fallbacks).toEqual([
      'webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)',
      expect.stringMatching(/^tensorflow: tfjs-node is not installed/),
    ]);
    expect(auto.noGpu).toBe('webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)');
    expect(choose(env, 'webgpu').error).toBe('no usable tfjs backend (webgpu: no WebGPU adapter found (no GPU driver that Dawn can use))');
  });
});

const missing = webgpuMissing();

describe.skipIf(missing !== null)(`the webgpu backend on a real adapter${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('passes a software adapter over under auto, naming it', () => {
    const c = choose({});
    expect(c.name).toBe('wasm');
    expect(c.fallbacks?.[0]).toBe(
      'webgpu: SwiftShader (software) — passed over: a software adapter is slower than the CPU backends (--backend webgpu uses it)',
    );
    expect(c.noGpu).toBe(c.fallbacks?.[0]);
    expect(c.adapter).toBeUndefined();
  });

  it('runs on a software adapter when asked for by name, and says which adapter', () => {
    const c = choose({}, 'webgpu');
    expect(c).toEqual({ name: 'webgpu', fallbacks: [], adapter: 'SwiftShader (software)' });
  });

  it('is chosen first under auto on a real GPU (Node, no synchronous read), naming the GPU', () => {
    const c = choose({ LATENTSCAPE_WEBGPU_MODULE: STANDIN, WEBGPU_STANDIN: 'disguise', WEBGPU_STANDIN_INFO: JSON.stringify(NVIDIA) });
    expect(c).toEqual({ name: 'webgpu', fallbacks: [], adapter: 'NVIDIA GeForce RTX 4090' });
  });
});
