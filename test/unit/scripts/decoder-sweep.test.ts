/**
 * scripts/reference/decoder-sweep.mjs: the parts that decide what runs and how it is summed up (the
 * sweep itself trains for hours and is run by hand, scripts/reference/README.md).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { meanSd, VARIANTS, variantNames } from '../../../scripts/reference/decoder-sweep.mjs';

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
