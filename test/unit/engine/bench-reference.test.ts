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
    const r = benchTorchReference(0.5);
    if (typeof r === 'string') throw new Error(r);
    expect(r.samples_per_s).toBeGreaterThan(0);
    expect(r.threads).toBeGreaterThanOrEqual(1);
  });
});
