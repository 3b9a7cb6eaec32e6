/**
 * a·b + c for float32 values, rounded once to float32: what a fused multiply-add instruction gives,
 * and so what kernels.wat's relaxed build computes where `f32x4.relaxed_madd` fuses (heap.ts). The
 * JavaScript loops (the cpu kernels and the reference of the wasm ones) use it to give the same floats.
 *
 * Why not Math.fround(a * b + c): a·b is exact in float64 (24 + 24 bits), but the float64 sum rounds,
 * and rounding that again to float32 can land on the wrong side when the float64 sum sits exactly
 * halfway between two float32 values (double rounding). The float64 sum's own error, found exactly
 * by Knuth's TwoSum, says which side the exact value lies on.
 */
const f32 = new Float32Array(1);
const bits = new Int32Array(f32.buffer);

/** The float32 one step from x (a float32, finite) towards +∞ (up) or −∞. */
function nextFloat32(x: number, up: boolean): number {
  if (x === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32[0] = x;
  bits[0] += x > 0 === up ? 1 : -1;
  return f32[0];
}

export function fmaf32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const rounded = Math.fround(s);
  if (rounded === s || !Number.isFinite(s)) return rounded;
  // TwoSum: s + error === p + c exactly.
  const cPart = s - p;
  const error = p - (s - cPart) + (c - cPart);
  if (error === 0) return rounded;
  const other = nextFloat32(rounded, s > rounded);
  if (s - rounded !== other - s) return rounded; // not a tie: the float64 rounding cannot change the side
  return error > 0 === other > rounded ? other : rounded;
}
