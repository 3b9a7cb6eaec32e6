/**
 * kernels.wat's relaxed build against its plain build, in the running engine (Node ≥ 22 has relaxed
 * SIMD; test/unit/engine/kernels/relaxed-simd.test.ts runs this on Node 24 and checks the JSON):
 * both builds instantiated on one memory of their own, the same matmul and filterGrad4 calls, and
 *  - the largest gap between the two builds as a share of the bound (2K + 2)·2⁻²⁴·Σ|a·b| (each
 *    build's float32 sum is within about K·2⁻²⁴·Σ|a·b| of the exact one, K the terms summed);
 *  - how many results differ at all (a fused build must differ somewhere, or the bit-for-bit
 *    tests of the reference loops prove nothing about fusing);
 *  - how many differ from the reference loops (matmulInto, filterGradInto) with `fused` as probed;
 *  - fmaf32 against the engine's relaxed_madd, on random triples and on double-rounding ties.
 *
 *   node24 --import tsx scripts/relaxed-kernels-check.ts
 */
import { fmaf32 } from '../src/engine/kernels/fma';
import { filterGradInto } from '../src/engine/kernels/filter-grad';
import { RELAXED_MADD_PROBE, kernelsBuild, relaxedMaddFuses } from '../src/engine/kernels/heap';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../src/engine/kernels/kernels-wasm';
import { matmulInto } from '../src/engine/kernels/matmul';
import { sameGeometry } from '../src/engine/kernels/patches';

const U = 2 ** -24;
const memory = new WebAssembly.Memory({ initial: 256 });
type Kernels = {
  matmul(a: number, b: number, bias: number, c: number, m: number, k: number, n: number, flags: number): void;
  filterGrad4(x: number, dy: number, out: number, ...args: number[]): void;
};
const instantiate = (base64: string): Kernels =>
  new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } }).exports as unknown as Kernels;

let seed = 12345;
function random(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return Math.fround((seed / 2 ** 32 - 0.5) * 4);
  });
}

/** Copies arrays onto the memory at 16-byte-aligned offsets; returns their byte offsets. */
function place(...arrays: Float32Array[]): number[] {
  let at = 64;
  return arrays.map((a) => {
    new Float32Array(memory.buffer, at, a.length).set(a);
    const offset = at;
    at += Math.ceil((a.length * 4) / 16) * 16;
    return offset;
  });
}

interface Comparison {
  case: string;
  worst_share_of_bound: number;
  differing: number;
  reference_mismatches: number;
  outputs: number;
}

function compare(name: string, plain: Float32Array, relaxed: Float32Array, reference: Float32Array, bound: Float64Array): Comparison {
  let worst = 0;
  let differing = 0;
  let mismatches = 0;
  for (let i = 0; i < plain.length; i++) {
    if (!Object.is(plain[i], relaxed[i])) differing++;
    if (!Object.is(relaxed[i], reference[i])) mismatches++;
    worst = Math.max(worst, Math.abs(plain[i] - relaxed[i]) / bound[i]);
  }
  return { case: name, worst_share_of_bound: worst, differing, reference_mismatches: mismatches, outputs: plain.length };
}

function matmulCase(plain: Kernels, relaxed: Kernels, fused: boolean, m: number, k: number, n: number): Comparison {
  const a = random(m * k);
  const b = random(k * n);
  const run = (kernels: Kernels): Float32Array => {
    const [pa, pb, pc] = place(a, b, new Float32Array(m * n));
    kernels.matmul(pa, pb, 0, pc, m, k, n, 0);
    return new Float32Array(memory.buffer, pc, m * n).slice();
  };
  const reference = new Float32Array(m * n);
  matmulInto(a, b, null, reference, m, k, n, false, fused);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += Math.abs(a[i * k + q] * b[q * n + j]);
      bound[i * n + j] = (2 * k + 2) * U * s + Number.MIN_VALUE;
    }
  return compare(`matmul ${m}×${k}×${n}`, run(plain), run(relaxed), reference, bound);
}

function filterGradCase(
  plain: Kernels,
  relaxed: Kernels,
  fused: boolean,
  batch: number,
  size: number,
  channels: number,
  kernel: number,
  stride: number,
  columns: number,
): Comparison {
  const g = sameGeometry(size, size, kernel, stride);
  const rows = batch * g.outHeight * g.outWidth;
  const x = random(batch * size * size * channels);
  const dy = random(rows * columns);
  const outLength = kernel * kernel * channels * columns;
  const geometry = [batch, channels, kernel, stride, g.padTop, g.padLeft, size, size, g.outHeight, g.outWidth, columns];
  const run = (kernels: Kernels): Float32Array => {
    const [px, pdy, pout] = place(x, dy, new Float32Array(outLength));
    kernels.filterGrad4(px, pdy, pout, ...geometry);
    return new Float32Array(memory.buffer, pout, outLength).slice();
  };
  const attrs = { ...g, channels, batch, columns };
  const reference = new Float32Array(outLength);
  filterGradInto(x, dy, reference, attrs, fused);
  // The bound from |x|·|dy| summed over every position (padding taps add nothing, so this is larger).
  const absX = x.map(Math.abs);
  const absDy = dy.map(Math.abs);
  const sums = new Float32Array(outLength);
  filterGradInto(absX, absDy, sums, attrs, false);
  const bound = Float64Array.from(sums, (s) => (2 * rows + 2) * U * s * (1 + rows * U) + Number.MIN_VALUE);
  return compare(`filterGrad4 b${batch} ${size}² c${channels} k${kernel} s${stride} n${columns}`, run(plain), run(relaxed), reference, bound);
}

function fmaCheck(madd: (a: number, b: number, c: number) => number): { random: number; ties: number; mismatches: number } {
  let mismatches = 0;
  const triples: number[][] = [];
  for (const x of random(3 * 20000).reduce<number[][]>((t, v, i) => (i % 3 ? t[t.length - 1].push(v) : t.push([v]), t), [])) triples.push(x);
  let ties = 0;
  // double-rounding ties (see fma.test.ts): c odd, |a·b| just under half its spacing
  for (const c of random(2000)) {
    const e = Math.floor(Math.log2(Math.abs(c))) - 24;
    triples.push([Math.fround(1 + 2 ** -18) * 2 ** Math.floor(e / 2), Math.fround(1 - 2 ** -18) * 2 ** Math.ceil(e / 2), c]);
    ties++;
  }
  for (const [a, b, c] of triples) if (!Object.is(fmaf32(a, b, c), madd(a, b, c))) mismatches++;
  return { random: triples.length - ties, ties, mismatches };
}

const validates = WebAssembly.validate(RELAXED_MADD_PROBE);
const fused = relaxedMaddFuses();
const report: Record<string, unknown> = { node: process.version, validates, fused, build: kernelsBuild() };
if (validates) {
  const plain = instantiate(KERNELS_WASM_BASE64);
  const relaxed = instantiate(KERNELS_RELAXED_WASM_BASE64);
  const isFused = fused === true;
  const shapes: [number, number, number][] = [
    [128, 784, 400],
    [27, 512, 32],
    [9, 17, 15],
    [7, 9, 13],
    [5, 3, 12],
    [3, 6, 2],
  ];
  report.cases = [
    ...shapes.map(([m, k, n]) => matmulCase(plain, relaxed, isFused, m, k, n)),
    filterGradCase(plain, relaxed, isFused, 2, 6, 8, 3, 1, 16),
    filterGradCase(plain, relaxed, isFused, 3, 8, 4, 4, 2, 8),
  ];
  const { madd } = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_MADD_PROBE)).exports as { madd(a: number, b: number, c: number): number };
  if (isFused) report.fma = fmaCheck(madd);
}
process.stdout.write(`${JSON.stringify(report)}\n`);
