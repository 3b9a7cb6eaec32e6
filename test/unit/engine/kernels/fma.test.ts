import { describe, expect, it } from 'vitest';
import { fmaf32 } from '../../../../src/engine/kernels/fma';

/** A float32 in [2^e, 2^(e+1)) with a random mantissa whose last bit is 1 (so never a power of 2). */
function oddFloat32(e: number, next: () => number): number {
  const mantissa = (Math.floor(next() * 2 ** 22) * 2 + 1) / 2 ** 23;
  return Math.fround((1 + mantissa) * 2 ** e);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fmaf32', () => {
  it('rounds a·b + c once where the float64 sum lands on a float32 tie (double rounding)', () => {
    // |a·b| = h·(1 − 2⁻³⁶), h half of c's float32 spacing: the exact sum lies strictly nearer c than
    // the tie, so c is the answer; in float64 the 2⁻³⁶ is lost, the sum is the tie, and rounding
    // that to even (c's mantissa is odd) goes to c's neighbour.
    const next = lcg(7);
    let naiveWrong = 0;
    for (let i = 0; i < 400; i++) {
      const e = Math.floor(next() * 40) - 20;
      const c = (next() < 0.5 ? -1 : 1) * oddFloat32(e, next);
      const halfUlpExponent = e - 24;
      const a = Math.fround(1 + 2 ** -18) * 2 ** Math.floor(halfUlpExponent / 2);
      const b = (next() < 0.5 ? -1 : 1) * Math.fround(1 - 2 ** -18) * 2 ** Math.ceil(halfUlpExponent / 2);
      expect(fmaf32(a, b, c)).toBe(c);
      if (Math.fround(a * b + c) !== c) naiveWrong++;
    }
    expect(naiveWrong).toBe(400); // each case is one where rounding twice goes wrong
  });

  it('equals float64 arithmetic rounded to float32 where that is exact, with the IEEE specials', () => {
    const next = lcg(3);
    for (let i = 0; i < 2000; i++) {
      const [a, b, c] = [0, 0, 0].map(() => Math.fround((next() - 0.5) * 2 ** Math.floor(next() * 16 - 8)));
      // a float32 sum of two float32 values with nearby exponents is exact in float64
      expect(fmaf32(a, 1, c)).toBe(Math.fround(a + c));
      expect(fmaf32(a, b, 0)).toBe(Math.fround(a * b));
    }
    expect(fmaf32(Infinity, 1, 1)).toBe(Infinity);
    expect(fmaf32(Infinity, 0, 1)).toBeNaN();
    expect(fmaf32(3e38, 10, 0)).toBe(Infinity);
    expect(Object.is(fmaf32(-0, 1, -0), -0)).toBe(true);
    expect(fmaf32(2 ** -100, 2 ** -100, 1)).toBe(1);
  });
});
