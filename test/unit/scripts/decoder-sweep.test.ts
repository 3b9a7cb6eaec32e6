/**
 * scripts/reference/decoder-sweep.mjs: the parts that decide what runs and how it is summed up (the
 * sweep itself trains for hours and is run by hand, scripts/reference/README.md).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { meanSd, table, VARIANTS, variantNames, welchT } from '../../../scripts/reference/decoder-sweep.mjs';

describe('the decoder sweep', () => {
  it('takes every variant unless --only names some, and keeps a name with a comma whole', () => {
    expect(variantNames(undefined)).toEqual(Object.keys(VARIANTS));
    expect(variantNames('baseline,wide-64,128,residual-1')).toEqual(['baseline', 'wide-64,128', 'residual-1']);
    expect(variantNames('wide-64,128')).toEqual(['wide-64,128']);
    for (const name of variantNames(undefined)) expect(VARIANTS).toHaveProperty([name]);
  });

  it('sums up the seeds as mean ± sample sd, passing over a run without a figure', () => {
    const s = meanSd([20.6, 20.61, 20.59, Number.NaN]);
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(20.6, 10);
    expect(s.sd).toBeCloseTo(0.01, 10);
    expect(meanSd([]).n).toBe(0);
  });
});

describe("the decoder sweep's table", () => {
  const run = (variant: string, seed: number, psnr_db: number, sample_fd: number) => ({ variant, seed, psnr_db, sample_fd, recon_fd: 1, epochs: 60 });
  const summed = (runs: ReturnType<typeof run>[]) => ({
    psnr_db: meanSd(runs.map((r) => r.psnr_db)),
    sample_fd: meanSd(runs.map((r) => r.sample_fd)),
    epochs: meanSd(runs.map((r) => r.epochs)),
    runs,
  });

  it("gives Welch's t of two seed samples", () => {
    // Means 2 and 5, variances 1 and 1, three each: (2 − 5) / √(1/3 + 1/3).
    expect(welchT([1, 2, 3], [4, 5, 6])).toBeCloseTo(-3 / Math.sqrt(2 / 3), 10);
  });

  it('sets each variant against the baseline, and leaves the baseline row without a comparison', () => {
    const text: string = table({
      icons: {
        baseline: summed([run('baseline', 0, 20.6, 3), run('baseline', 1, 20.61, 3.4), run('baseline', 2, 20.59, 2.6)]),
        wide: summed([run('wide', 0, 20.88, 2.7), run('wide', 1, 20.84, 5.1), run('wide', 2, 20.78, 3.6)]),
      },
    });
    const rows = text.split('\n').filter((l) => l.startsWith('| baseline') || l.startsWith('| wide'));
    expect(rows[0]).toContain('| 20.60 ± 0.01 (3) |  | 3.00, 3.40, 2.60 |');
    expect(rows[1]).toMatch(/\| 20\.83 ± 0\.05 \(3\) \| \+0\.23 \(t \+[0-9.]+\) \| 2\.70, 5\.10, 3\.60 \| 3\.80 ± 1\.21 \(3\) \| \+0\.80 \(t \+[0-9.]+\) \|/);
  });
});
