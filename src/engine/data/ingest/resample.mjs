// @ts-check
/**
 * Square cover/contain resampling of uint8 HWC images, in plain JS (shared by the ingest worker
 * threads and the in-process decoder; types in resample.d.mts).
 *
 * Why here and not in sharp: for the small images typical of datasets (e.g. 256² → 64²) sharp's
 * resize stage costs more than the decode itself (shrink-on-load reopens the JPEG, a Lanczos mask is
 * built per call). sharp hands over at most a few times the target size; the last step happens here
 * as an area average — no ringing, no aliasing — and, when the ratio is a whole number (256 → 64,
 * 128 → 64, 64 → 32…), as an integer box sum that adds four bytes per operation (SWAR).
 */

import { boxSimdInto } from './box-simd.mjs';

/**
 * @typedef {{ start: Int32Array, count: Int32Array, offset: Int32Array, weights: Float32Array }} AxisPlan
 * @typedef {{
 *   srcWidth: number, srcHeight: number, channels: number, size: number,
 *   outX: number, outY: number, outW: number, outH: number,
 *   fromX: number, fromY: number, box: number, x: AxisPlan | null, y: AxisPlan | null
 * }} FitPlan
 */

/**
 * Taps along one axis: source [from, from + span) onto `outLen` outputs. Downscale = exact area
 * coverage; upscale = bilinear with edge clamping.
 * @param {number} srcLen @param {number} from @param {number} span @param {number} outLen
 * @returns {AxisPlan}
 */
function planAxis(srcLen, from, span, outLen) {
  const start = new Int32Array(outLen);
  const count = new Int32Array(outLen);
  const offset = new Int32Array(outLen);
  /** @type {number[]} */
  const taps = [];
  const scale = span / outLen;
  for (let i = 0; i < outLen; i++) {
    offset[i] = taps.length;
    if (scale >= 1) {
      const a = from + i * scale;
      const b = a + scale;
      const j0 = Math.max(0, Math.min(srcLen - 1, Math.floor(a)));
      const j1 = Math.max(j0, Math.min(srcLen - 1, Math.ceil(b) - 1));
      let total = 0;
      const first = taps.length;
      for (let j = j0; j <= j1; j++) {
        const w = Math.max(0, Math.min(b, j + 1) - Math.max(a, j));
        taps.push(w);
        total += w;
      }
      if (total <= 0) {
        taps.length = first;
        taps.push(1);
        total = 1;
      }
      for (let t = first; t < taps.length; t++) taps[t] /= total;
      start[i] = j0;
      count[i] = taps.length - first;
    } else {
      const centre = from + (i + 0.5) * scale - 0.5;
      const j = Math.floor(centre);
      const frac = centre - j;
      const j0 = Math.max(0, Math.min(srcLen - 1, j));
      const j1 = Math.max(0, Math.min(srcLen - 1, j + 1));
      start[i] = j0;
      if (j0 === j1 || frac === 0) {
        count[i] = 1;
        taps.push(1);
      } else {
        count[i] = 2;
        taps.push(1 - frac, frac);
      }
    }
  }
  return { start, count, offset, weights: Float32Array.from(taps) };
}

/**
 * Geometry of a cover (centred square crop) or contain (whole image, centred, padded) fit.
 * Crop offsets are whole pixels, so whole-number ratios take the box path.
 * @param {number} srcWidth @param {number} srcHeight @param {number} channels @param {number} size
 * @param {'cover' | 'contain'} fit
 * @returns {FitPlan}
 */
export function planFit(srcWidth, srcHeight, channels, size, fit) {
  let fromX = 0,
    fromY = 0,
    spanX = srcWidth,
    spanY = srcHeight,
    outW = size,
    outH = size;
  if (fit === 'cover') {
    const side = Math.min(srcWidth, srcHeight);
    fromX = Math.floor((srcWidth - side) / 2);
    fromY = Math.floor((srcHeight - side) / 2);
    spanX = spanY = side;
  } else {
    const scale = Math.min(size / srcWidth, size / srcHeight);
    outW = Math.max(1, Math.min(size, Math.round(srcWidth * scale)));
    outH = Math.max(1, Math.min(size, Math.round(srcHeight * scale)));
  }
  const outX = Math.floor((size - outW) / 2);
  const outY = Math.floor((size - outH) / 2);
  const k = spanX / outW;
  const box = Number.isInteger(k) && spanY / outH === k && k <= 256 ? k : 0;
  return {
    srcWidth,
    srcHeight,
    channels,
    size,
    outX,
    outY,
    outW,
    outH,
    fromX,
    fromY,
    box,
    x: box ? null : planAxis(srcWidth, fromX, spanX, outW),
    y: box ? null : planAxis(srcHeight, fromY, spanY, outH),
  };
}

/** Plans reused across images of the same geometry (most dataset folders have one or a few). */
export class FitPlanner {
  constructor() {
    /** @type {Map<string, FitPlan>} */
    this.plans = new Map();
  }
  /** @param {number} w @param {number} h @param {number} c @param {number} size @param {'cover' | 'contain'} fit */
  get(w, h, c, size, fit) {
    const key = `${w}x${h}x${c}>${size}${fit}`;
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size > 64) this.plans.clear();
      plan = planFit(w, h, c, size, fit);
      this.plans.set(key, plan);
    }
    return plan;
  }
}

let floatRows = new Float32Array(0);
let lanesLo = new Uint32Array(0);
let lanesHi = new Uint32Array(0);
let sums = new Uint32Array(0);

/**
 * Resamples `src` (plan.srcWidth × plan.srcHeight × plan.channels) into the size² × channels block
 * of `dst` at `dstOffset`; `fill` (per channel) pads what a contain fit leaves empty. `simd: false`
 * keeps to the JavaScript loops (tests compare the two).
 * @param {Uint8Array} src @param {FitPlan} plan @param {Uint8Array} dst @param {number} dstOffset
 * @param {ArrayLike<number>} fill @param {boolean} [simd]
 */
export function resampleInto(src, plan, dst, dstOffset, fill, simd = true) {
  const { size, channels: c, outW, outH } = plan;
  if (outW !== size || outH !== size) {
    for (let p = dstOffset, end = dstOffset + size * size * c; p < end; p += c) for (let k = 0; k < c; k++) dst[p + k] = fill[k];
  }
  if (plan.box && simd && boxSimdInto(src, plan, dst, dstOffset)) return;
  if (plan.box && boxWordsInto(src, plan, dst, dstOffset)) return;
  if (plan.box) boxInto(src, plan, dst, dstOffset);
  else areaInto(src, plan, dst, dstOffset);
}

/**
 * The common whole-number case where every k×k block starts on a 32-bit word and spans whole
 * words (k a multiple of 4, gray or RGB; e.g. 256² → 64²): each block is summed straight from
 * words in two 16-bit lanes held in locals, with no intermediate row arrays — about 2.5× faster
 * than boxInto. Returns false (nothing written) when the geometry does not fit.
 * @param {Uint8Array} src @param {FitPlan} plan @param {Uint8Array} dst @param {number} dstOffset
 */
function boxWordsInto(src, plan, dst, dstOffset) {
  const { srcWidth, channels: c, size, outX, outY, outW, outH, fromX, fromY, box: k } = plan;
  const stride = srcWidth * c;
  // 16-bit lanes hold k rows × k/4 words × 255 up to k = 32.
  if ((c !== 1 && c !== 3) || (k & 3) !== 0 || k > 32) return false;
  if ((src.byteOffset & 3) !== 0 || (stride & 3) !== 0 || ((fromX * c) & 3) !== 0) return false;
  const src32 = new Uint32Array(src.buffer, src.byteOffset, src.length >> 2);
  const stride32 = stride >> 2;
  const M = 0x00ff00ff;
  const area = k * k;
  const half = area >> 1;
  const blocks = k >> 2; // per output pixel: gray k/4 words, RGB k/4 groups of 3 words (4 pixels)
  for (let j = 0; j < outH; j++) {
    const rowWord = (fromY + j * k) * stride32 + ((fromX * c) >> 2);
    let o = dstOffset + ((outY + j) * size + outX) * c;
    if (c === 3) {
      for (let i = 0; i < outW; i++) {
        let l0 = 0,
          h0 = 0,
          l1 = 0,
          h1 = 0,
          l2 = 0,
          h2 = 0;
        for (let t = 0, r = rowWord + i * 3 * blocks; t < k; t++, r += stride32) {
          for (let g = 0, w = r; g < blocks; g++, w += 3) {
            // Bytes R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3 (little-endian words).
            const w0 = src32[w],
              w1 = src32[w + 1],
              w2 = src32[w + 2];
            l0 += w0 & M;
            h0 += (w0 >>> 8) & M;
            l1 += w1 & M;
            h1 += (w1 >>> 8) & M;
            l2 += w2 & M;
            h2 += (w2 >>> 8) & M;
          }
        }
        const red = (l0 & 0xffff) + (h0 >>> 16) + (l1 >>> 16) + (h2 & 0xffff);
        const green = (h0 & 0xffff) + (l1 & 0xffff) + (h1 >>> 16) + (l2 >>> 16);
        const blue = (l0 >>> 16) + (h1 & 0xffff) + (l2 & 0xffff) + (h2 >>> 16);
        dst[o++] = ((red + half) / area) | 0;
        dst[o++] = ((green + half) / area) | 0;
        dst[o++] = ((blue + half) / area) | 0;
      }
    } else {
      for (let i = 0; i < outW; i++) {
        let l = 0,
          h = 0;
        for (let t = 0, r = rowWord + i * blocks; t < k; t++, r += stride32) {
          for (let g = 0; g < blocks; g++) {
            const w = src32[r + g];
            l += w & M;
            h += (w >>> 8) & M;
          }
        }
        dst[o++] = (((l & 0xffff) + (l >>> 16) + (h & 0xffff) + (h >>> 16) + half) / area) | 0;
      }
    }
  }
  return true;
}

/**
 * Whole-number ratio k: each output pixel is the rounded mean of a k×k block. The vertical sums
 * run on 32-bit words as two 16-bit lanes (bytes 0,2 and 1,3): four bytes per add, no overflow up
 * to k = 256.
 * @param {Uint8Array} src @param {FitPlan} plan @param {Uint8Array} dst @param {number} dstOffset
 */
function boxInto(src, plan, dst, dstOffset) {
  const { srcWidth, channels: c, size, outX, outY, outW, outH, fromX, fromY, box: k } = plan;
  const stride = srcWidth * c;
  // The bytes of one source row this fit reads: [colStart, colStart + colBytes).
  const colStart = fromX * c;
  const colBytes = outW * k * c;
  // Word-aligned span covering them (rows must start on word boundaries for the word view).
  const wordFirst = colStart >> 2;
  const wordEnd = (colStart + colBytes + 3) >> 2;
  const words = wordEnd - wordFirst;
  const aligned = (src.byteOffset & 3) === 0 && (stride & 3) === 0;
  if (sums.length < words * 4) {
    sums = new Uint32Array(words * 4);
    lanesLo = new Uint32Array(words);
    lanesHi = new Uint32Array(words);
  }
  const half = (k * k) >> 1;
  const area = k * k;
  const src32 = aligned ? new Uint32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
  const stride32 = stride >> 2;
  for (let j = 0; j < outH; j++) {
    const row0 = fromY + j * k;
    if (src32) {
      const lo = lanesLo;
      const hi = lanesHi;
      let s = row0 * stride32 + wordFirst;
      for (let q = 0; q < words; q++) {
        const v = src32[s + q];
        lo[q] = v & 0x00ff00ff;
        hi[q] = (v >>> 8) & 0x00ff00ff;
      }
      for (let t = 1; t < k; t++) {
        s += stride32;
        for (let q = 0; q < words; q++) {
          const v = src32[s + q];
          lo[q] += v & 0x00ff00ff;
          hi[q] += (v >>> 8) & 0x00ff00ff;
        }
      }
      // Unpack lanes into per-byte column sums (little-endian byte order within each word).
      for (let q = 0, b = 0; q < words; q++, b += 4) {
        const a = lo[q];
        const h = hi[q];
        sums[b] = a & 0xffff;
        sums[b + 1] = h & 0xffff;
        sums[b + 2] = a >>> 16;
        sums[b + 3] = h >>> 16;
      }
    } else {
      const base = wordFirst << 2;
      for (let q = 0; q < words * 4; q++) sums[q] = 0;
      for (let t = 0; t < k; t++) {
        const s = (row0 + t) * stride + base;
        const n = Math.min(words * 4, src.length - s);
        for (let q = 0; q < n; q++) sums[q] += src[s + q];
      }
    }
    // Horizontal: k neighbouring pixels per output pixel, per channel.
    const shift = colStart - (wordFirst << 2);
    let o = dstOffset + ((outY + j) * size + outX) * c;
    if (c === 3) {
      for (let i = 0; i < outW; i++) {
        let r = 0,
          g = 0,
          b = 0;
        for (let t = 0, p = shift + i * k * 3; t < k; t++, p += 3) {
          r += sums[p];
          g += sums[p + 1];
          b += sums[p + 2];
        }
        dst[o++] = ((r + half) / area) | 0;
        dst[o++] = ((g + half) / area) | 0;
        dst[o++] = ((b + half) / area) | 0;
      }
    } else {
      for (let i = 0; i < outW; i++) {
        for (let ch = 0; ch < c; ch++) {
          let a = 0;
          for (let t = 0, p = shift + i * k * c + ch; t < k; t++, p += c) a += sums[p];
          dst[o++] = ((a + half) / area) | 0;
        }
      }
    }
  }
}

/**
 * Any ratio: separable area average (bilinear when enlarging). Vertical pass first, over long
 * contiguous rows; then the horizontal pass over the few remaining rows.
 * @param {Uint8Array} src @param {FitPlan} plan @param {Uint8Array} dst @param {number} dstOffset
 */
function areaInto(src, plan, dst, dstOffset) {
  const { srcWidth, channels: c, size, outX, outY, outW, outH } = plan;
  const x = /** @type {AxisPlan} */ (plan.x);
  const y = /** @type {AxisPlan} */ (plan.y);
  const colFirst = x.start[0];
  const colLast = x.start[outW - 1] + x.count[outW - 1] - 1;
  const rowLen = (colLast - colFirst + 1) * c;
  if (floatRows.length < outH * rowLen) floatRows = new Float32Array(outH * rowLen);
  const tmp = floatRows;
  const stride = srcWidth * c;
  for (let j = 0; j < outH; j++) {
    const base = j * rowLen;
    let s = y.start[j] * stride + colFirst * c;
    let w = y.weights[y.offset[j]];
    for (let q = 0; q < rowLen; q++) tmp[base + q] = w * src[s + q];
    for (let t = 1; t < y.count[j]; t++) {
      s += stride;
      w = y.weights[y.offset[j] + t];
      for (let q = 0; q < rowLen; q++) tmp[base + q] += w * src[s + q];
    }
  }
  const out = new Uint8ClampedArray(dst.buffer, dst.byteOffset, dst.length);
  for (let j = 0; j < outH; j++) {
    const base = j * rowLen - colFirst * c;
    let o = dstOffset + ((outY + j) * size + outX) * c;
    for (let i = 0; i < outW; i++) {
      const n = x.count[i];
      const w0 = x.offset[i];
      const p0 = base + x.start[i] * c;
      for (let ch = 0; ch < c; ch++) {
        let a = 0;
        for (let t = 0, p = p0 + ch; t < n; t++, p += c) a += x.weights[w0 + t] * tmp[p];
        out[o++] = a; // clamped view: rounds and clamps natively
      }
    }
  }
}
