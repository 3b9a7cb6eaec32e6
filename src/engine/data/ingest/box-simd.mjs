// @ts-check
/**
 * box-simd.wat's RGB box average, for resample.mjs: the image is copied onto the module's own memory
 * (a memcpy, a tenth of what the sum saves), averaged there and the result copied out. Plain JS (the
 * ingest's worker threads load it too); each thread instantiates its own module. Types in box-simd.d.mts.
 */
import { BOX_SIMD_WASM_BASE64 } from './box-simd-wasm.mjs';

const PAGE_BYTES = 65536;
/** Room left after each region for the kernel's whole-vector reads and writes past its ends. */
const SLACK = 32;

/** @typedef {{ memory: WebAssembly.Memory, boxRgb: (src: number, stride: number, outW: number, outH: number, k: number, sums: number, dst: number) => void }} BoxKernel */

/** @type {BoxKernel | null | undefined} */
let kernel;

/** The instantiated module, or null where WebAssembly SIMD is missing. */
function boxKernel() {
  if (kernel === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(BOX_SIMD_WASM_BASE64, 'base64'));
      const exports = /** @type {any} */ (new WebAssembly.Instance(module, {}).exports);
      kernel = { memory: exports.memory, boxRgb: exports.boxRgb };
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/** @param {number} n */
const align16 = (n) => (n + 15) & ~15;

/**
 * The box path of resampleInto for RGB and k = 2 or 4, exactly its numbers; false (nothing written)
 * for any other geometry or without SIMD.
 * @param {Uint8Array} src @param {import('./resample.mjs').FitPlan} plan @param {Uint8Array} dst @param {number} dstOffset
 */
export function boxSimdInto(src, plan, dst, dstOffset) {
  const { srcWidth, channels, size, outX, outY, outW, outH, fromX, fromY, box: k } = plan;
  if (channels !== 3 || (k !== 2 && k !== 4)) return false;
  const box = boxKernel();
  if (!box) return false;
  const stride = srcWidth * 3;
  const firstByte = fromY * stride;
  const rowsBytes = outH * k * stride;
  if (firstByte + rowsBytes > src.length) return false;
  // [the rows the grid covers][sums of one output row][the packed output]
  const sumsAt = align16(rowsBytes + SLACK);
  const outAt = align16(sumsAt + outW * k * 3 * 2 + SLACK);
  const end = outAt + outW * outH * 3 + SLACK;
  const missing = Math.ceil(end / PAGE_BYTES) - box.memory.buffer.byteLength / PAGE_BYTES;
  if (missing > 0) {
    try {
      box.memory.grow(missing);
    } catch {
      return false;
    }
  }
  const heap = new Uint8Array(box.memory.buffer);
  heap.set(src.subarray(firstByte, firstByte + rowsBytes), 0);
  box.boxRgb(fromX * 3, stride, outW, outH, k, sumsAt, outAt);
  const rowBytes = outW * 3;
  if (outW === size) {
    dst.set(heap.subarray(outAt, outAt + outH * rowBytes), dstOffset + outY * size * 3);
  } else {
    for (let j = 0; j < outH; j++) dst.set(heap.subarray(outAt + j * rowBytes, outAt + (j + 1) * rowBytes), dstOffset + ((outY + j) * size + outX) * 3);
  }
  return true;
}
