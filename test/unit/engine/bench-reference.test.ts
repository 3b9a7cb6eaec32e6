/** The optional PyTorch reference of `latentscape bench`: a number where torch is, a reason where not. */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { benchTorchReference } from '../../../src/engine/bench-reference';

const saved = process.env.LATENTSCAPE_REFERENCE_PYTHON;
afterEach(() => {
  if (saved === undefined) delete process.env.LATENTSCAPE_REFERENCE_PYTHON;
  else process.env.LATENTSCAPE_REFERENCE_PYTHON = saved;
});

const torchPython = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { timeout: 60_000 }).status === 0);

describe('benchTorchReference', () => {
  it('says why when no Python with torch is found', () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = '/nonexistent/python3';
    const r = benchTorchReference(0.2);
    expect(typeof r).toBe('string');
    expect(r).toMatch(/^unavailable \(no Python with torch: \/nonexistent\/python3: /);
  });

  it.skipIf(!torchPython)(`times the PyTorch step where torch is installed${torchPython ? '' : ' (skipped: no Python here imports torch)'}`, () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = torchPython;
    // 1.5 s: over shorter runs the spinning BLAS thread had not yet shown (cpu/wall 1.06 at 0.5 s).
    const r = benchTorchReference(1.5);
    if (typeof r === 'string') throw new Error(r);
    expect(r.samples_per_s).toBeGreaterThan(0);
    // One thread, as the engine on wasm: torch's and the BLAS library's alike. Before the script
    // bounded OPENBLAS_NUM_THREADS, Debian's OpenBLAS spun a second thread and the process used
    // ≈ 1.6 cores while torch reported 1 (a loaded machine can only lower this figure).
    expect(r.threads).toBe(1);
    expect(r.blas_threads).toBe(1);
    expect(r.cpu_per_wall).toBeLessThan(1.2);
  });
});
