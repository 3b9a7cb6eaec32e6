// @ts-check
/**
 * TurboJPEG with DCT scaling: libjpeg-turbo can decode a JPEG at 1/2, 1/4 or 1/8 of its size inside the
 * DCT, skipping most of the inverse transform, the upsampling and the colour conversion, and the
 * full-size pixels the area average would then throw away (what Pillow's draft() does). The
 * @julusian/jpeg-turbo binding (jpeg-fast.mjs) always decodes at the header's size, so this lane calls
 * the same libturbojpeg that binding loads, through koffi (a C FFI with prebuilt binaries, an optional
 * dependency): tjDecompress2 given a smaller width and height decodes at the largest scale that fits.
 *
 * Linux only. There the binding links libturbojpeg.so.0 dynamically, from its own folder, and once the
 * binding has loaded it, dlopen by that name returns the library already in the process: the same code
 * and version the binding runs. On macOS and Windows the binding links it statically; there this lane
 * is absent (null) and the binding decodes at full size, as before. Plain JS on purpose (worker threads
 * load it); types in jpeg-scaled.d.mts. LATENTSCAPE_INGEST_JPEG=full turns only this lane off (tests
 * compare with it), =sharp every TurboJPEG lane.
 */
import { createRequire } from 'node:module';
import { loadJpegTurbo } from './jpeg-fast.mjs';

/** TJFLAG_FASTDCT, as the binding passes it: a full-size decode here gives the binding's pixels. */
const TJFLAG_FASTDCT = 2048;
const TJPF_RGB = 0;
const TJPF_GRAY = 6;
/** koffi's reusable sets of async-call memory: at least the ingest's decodes in flight (see keepAsyncPools). */
const RESIDENT_ASYNC_POOLS = 16;

/**
 * @typedef {{
 *   decode(input: Buffer, out: Uint8Array, width: number, height: number, gray: boolean, sync: boolean): Promise<boolean>
 * }} ScaledJpeg
 */

/** @type {Promise<ScaledJpeg | null> | null} */
let scaledModule = null;

/**
 * The side libjpeg decodes `side` to at `eighths`/8 (TurboJPEG's TJSCALED: rounded up).
 * @param {number} side @param {number} eighths 1, 2, 4 or 8
 */
export function scaledSide(side, eighths) {
  return Math.ceil((side * eighths) / 8);
}

/**
 * The smallest of 1/8, 1/4 and 1/2 that still leaves `fitSide` (the side the final fit measures) at
 * least `need` pixels, or 8 (full size) when none does.
 * @param {number} fitSide @param {number} need
 */
export function dctEighths(fitSide, need) {
  for (const eighths of [1, 2, 4]) if (scaledSide(fitSide, eighths) >= need) return eighths;
  return 8;
}

/** TurboJPEG with DCT scaling, or null where it cannot load (see above) or is turned off. */
export function loadScaledJpeg() {
  const choice = process.env.LATENTSCAPE_INGEST_JPEG;
  if (choice === 'sharp' || choice === 'full' || process.platform !== 'linux') return Promise.resolve(null);
  scaledModule ??= openScaledJpeg().catch(() => null);
  return scaledModule;
}

/**
 * koffi gives each asynchronous call a stack and a heap block, and keeps 8 sets for reuse by default;
 * beyond that every call maps and unmaps fresh ones (page faults, and the TLB shootdowns of munmap on
 * every core). The ingest keeps up to 12 decodes in flight (pool.ts), so keep 16 sets: 4 MB. Measured
 * on 1,000 256² JPEGs (2 cores, alternating, 6 warm runs each ×3): median 3,850–4,143 images/s with 8
 * sets, 4,440–4,586 with 16. Other settings stay koffi's; a koffi that refuses the change runs as is.
 * @param {{ config(settings?: Record<string, number>): Record<string, number> }} koffi
 */
function keepAsyncPools(koffi) {
  try {
    const settings = koffi.config();
    if ((settings.resident_async_pools ?? 0) < RESIDENT_ASYNC_POOLS) koffi.config({ ...settings, resident_async_pools: RESIDENT_ASYNC_POOLS });
  } catch {
    // koffi's own defaults
  }
}

/** @returns {Promise<ScaledJpeg | null>} */
async function openScaledJpeg() {
  // The binding first: loading it puts its libturbojpeg.so.0 in the process.
  if (!(await loadJpegTurbo())) return null;
  // A name in a variable: bundlers leave the native module to run time (as jpeg-fast.mjs does).
  const pkg = 'koffi';
  const koffi = createRequire(import.meta.url)(pkg);
  keepAsyncPools(koffi);
  const lib = koffi.load('libturbojpeg.so.0');
  const init = lib.func('void *tjInitDecompress(void)');
  const destroy = lib.func('int tjDestroy(void *handle)');
  const decompress = lib.func(
    'int tjDecompress2(void *handle, const uint8_t *jpegBuf, unsigned long jpegSize, uint8_t *dstBuf, int width, int pitch, int height, int pixelFormat, int flags)',
  );
  return {
    async decode(input, out, width, height, gray, sync) {
      const handle = init();
      if (!handle) return false;
      const args = [handle, input, input.length, out, width, 0, height, gray ? TJPF_GRAY : TJPF_RGB, TJFLAG_FASTDCT];
      try {
        // Non-zero on an error and on a mere warning (a truncated file, a corrupt segment): sharp then
        // decides, and words the reason, as for the binding.
        const status = sync
          ? decompress(...args)
          : await new Promise((resolve, reject) =>
              decompress.async(...args, (/** @type {unknown} */ err, /** @type {number} */ res) => (err ? reject(err) : resolve(res))),
            );
        return status === 0;
      } finally {
        destroy(handle);
      }
    },
  };
}
