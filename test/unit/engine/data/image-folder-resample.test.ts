import { describe, expect, it } from 'vitest';
import { planFit, resampleInto } from '../../../../src/engine/data/ingest/resample.mjs';

function randomImage(w: number, h: number, c: number, seed = 1): Uint8Array {
  const data = new Uint8Array(w * h * c);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

/** Mean of each k×k block of the centred square crop, rounded half up: what cover must produce. */
function naiveCover(src: Uint8Array, w: number, h: number, c: number, size: number): number[] {
  const side = Math.min(w, h);
  const k = side / size;
  const x0 = Math.floor((w - side) / 2);
  const y0 = Math.floor((h - side) / 2);
  const out: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) sum += src[((y0 + y * k + dy) * w + x0 + x * k + dx) * c + ch];
        out.push(Math.floor((sum + Math.floor((k * k) / 2)) / (k * k)));
      }
    }
  }
  return out;
}

describe('ingest resampling', () => {
  it('whole-number ratios average exact k×k blocks (word path, byte path, any channel count)', () => {
    for (const [w, h, c, size] of [
      [64, 48, 3, 16],
      [48, 64, 3, 8],
      [10, 10, 3, 5],
      [36, 20, 1, 10],
      [256, 256, 3, 64],
      [28, 28, 1, 14],
    ]) {
      const src = randomImage(w, h, c, w + h);
      const plan = planFit(w, h, c, size, 'cover');
      expect(plan.box).toBe(Math.min(w, h) / size);
      const dst = new Uint8Array(size * size * c + 5);
      resampleInto(src, plan, dst, 5, [0, 0, 0]);
      expect([...dst.subarray(5)]).toEqual(naiveCover(src, w, h, c, size));
      // Same result from an unaligned view (falls back to byte sums).
      const shifted = new Uint8Array(src.length + 1);
      shifted.set(src, 1);
      const dst2 = new Uint8Array(size * size * c);
      resampleInto(shifted.subarray(1), plan, dst2, 0, [0, 0, 0]);
      expect(dst2).toEqual(dst.subarray(5));
    }
  });

  it('any ratio: a flat image stays flat, and the mean is kept', () => {
    const w = 37;
    const h = 23;
    const src = new Uint8Array(w * h * 3).fill(0);
    for (let i = 0; i < w * h; i++) src.set([200, 100, 7], i * 3);
    for (const [size, fit] of [
      [16, 'cover'],
      [9, 'contain'],
      [64, 'cover'],
    ] as const) {
      const plan = planFit(w, h, 3, size, fit);
      expect(plan.box).toBe(0);
      const dst = new Uint8Array(size * size * 3);
      resampleInto(src, plan, dst, 0, [1, 2, 3]);
      const o = ((plan.outY + (plan.outH >> 1)) * size + plan.outX + (plan.outW >> 1)) * 3;
      expect([...dst.subarray(o, o + 3)]).toEqual([200, 100, 7]);
    }
    const noisy = randomImage(w, h, 1, 5);
    const plan = planFit(w, h, 1, 8, 'contain');
    const dst = new Uint8Array(64);
    resampleInto(noisy, plan, dst, 0, [0]);
    const inner = [...dst.subarray(plan.outY * 8, (plan.outY + plan.outH) * 8)];
    const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(inner) - mean(noisy))).toBeLessThan(3);
  });

  it('contain centres the image and fills the rest with the background', () => {
    const src = new Uint8Array(40 * 10 * 3).fill(255);
    const plan = planFit(40, 10, 3, 8, 'contain');
    expect([plan.outX, plan.outY, plan.outW, plan.outH]).toEqual([0, 3, 8, 2]);
    const dst = new Uint8Array(8 * 8 * 3);
    resampleInto(src, plan, dst, 0, [9, 8, 7]);
    const row = (y: number): number[] => [...dst.subarray(y * 24, y * 24 + 3)];
    expect(row(0)).toEqual([9, 8, 7]);
    expect(row(2)).toEqual([9, 8, 7]);
    expect(row(3)).toEqual([255, 255, 255]);
    expect(row(4)).toEqual([255, 255, 255]);
    expect(row(5)).toEqual([9, 8, 7]);
  });
});
