import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBoxWat } from '../../../../src/engine/data/ingest/build-box-wasm';
import { BOX_SIMD_WASM_BASE64 } from '../../../../src/engine/data/ingest/box-simd-wasm.mjs';
import { boxSimdInto } from '../../../../src/engine/data/ingest/box-simd.mjs';
import { planFit, resampleInto } from '../../../../src/engine/data/ingest/resample.mjs';

function randomImage(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

/** resampleInto with and without the SIMD box, into buffers with a margin on both sides. */
function both(src: Uint8Array, w: number, h: number, c: number, size: number, fit: 'cover' | 'contain'): { simd: Uint8Array; js: Uint8Array } {
  const plan = planFit(w, h, c, size, fit);
  const simd = new Uint8Array(size * size * c + 14).fill(77);
  const js = simd.slice();
  resampleInto(src, plan, simd, 7, [9, 8, 7], true);
  resampleInto(src, plan, js, 7, [9, 8, 7], false);
  return { simd, js };
}

describe('ingest: the SIMD box average', () => {
  it('the embedded wasm is box-simd.wat compiled (rerun build-box-wasm.ts after editing it)', async () => {
    expect(BOX_SIMD_WASM_BASE64).toBe(Buffer.from(await compileBoxWat()).toString('base64'));
  });

  it('takes the 2× and 4× RGB boxes (256² → 64², the 64² → 32² thumbnail) and nothing else', () => {
    const rgb = randomImage(256 * 256 * 3, 1);
    const out = new Uint8Array(128 * 128 * 3);
    expect(boxSimdInto(rgb, planFit(256, 256, 3, 64, 'cover'), out, 0)).toBe(true);
    expect(boxSimdInto(rgb, planFit(256, 256, 3, 128, 'cover'), out, 0)).toBe(true);
    expect(boxSimdInto(rgb, planFit(256, 256, 3, 32, 'cover'), out, 0)).toBe(false); // 8×
    expect(boxSimdInto(rgb, planFit(256, 256, 3, 100, 'cover'), out, 0)).toBe(false); // not whole
    expect(boxSimdInto(randomImage(256 * 256, 2), planFit(256, 256, 1, 64, 'cover'), out, 0)).toBe(false); // gray
  });

  it('is bit for bit the JavaScript box at the extremes (all 255 sums to the top of its lanes)', () => {
    for (const value of [0, 255]) {
      const { simd, js } = both(new Uint8Array(256 * 256 * 3).fill(value), 256, 256, 3, 64, 'cover');
      expect(simd).toEqual(js);
      expect(simd[7]).toBe(value);
    }
  });

  it('is bit for bit the JavaScript box for any RGB size, crop and padding (fuzzed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(2, 4),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        fc.constantFrom<'cover' | 'contain'>('cover', 'contain'),
        fc.integer({ min: 1, max: 1 << 30 }),
        (size, k, extra, wide, fit, seed) => {
          // cover crops any extra off the long side; contain keeps it, so it must be whole blocks there.
          const long = fit === 'cover' ? size * k + extra : (size + extra) * k;
          const [w, h] = wide ? [long, size * k] : [size * k, long];
          const src = randomImage(w * h * 3, seed);
          const plan = planFit(w, h, 3, fit === 'cover' ? size : size + extra, fit);
          expect(plan.box).toBe(k);
          const { simd, js } = both(src, w, h, 3, plan.size, fit);
          return simd.every((x, i) => x === js[i]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
