// @ts-check
/**
 * The fast lane for plain JPEGs: TurboJPEG (@julusian/jpeg-turbo, an optional dependency with
 * prebuilt binaries) decodes a small JPEG in well under half the CPU time a sharp call costs —
 * sharp's per-call pipeline setup, not the decoding, dominates for dataset-sized images (measured
 * on 256² JPEGs: sharp ~1.3 CPU-ms per image, TurboJPEG ~0.5). Plain JS on purpose (it runs in the
 * ingest's worker threads too); types in jpeg-fast.d.mts.
 *
 * Only files whose decode means exactly the same thing in both decoders take this lane: baseline
 * or progressive 8-bit JPEG, gray or YCbCr (3 components), no EXIF rotation, no embedded ICC profile
 * (sharp would convert through it), not bigger than the ingest needs unless jpeg-scaled.mjs can shrink
 * it in the DCT. Anything else — and any file TurboJPEG complains about, even with a mere warning — goes
 * to sharp, which also words the reasons for broken files. LATENTSCAPE_INGEST_JPEG=sharp turns the lane
 * off (tests use it to compare).
 */

/** @typedef {{ width: number, height: number, components: number, progressive: boolean }} JpegInfo */

/**
 * @typedef {{
 *   FORMAT_RGB: number, FORMAT_GRAY: number,
 *   decompress(image: Buffer, out: Buffer, options: { format: number }): Promise<{ data: Buffer, width: number, height: number }>,
 *   decompressSync(image: Buffer, out: Buffer, options: { format: number }): { data: Buffer, width: number, height: number }
 * }} JpegTurbo
 */

/** @type {Promise<JpegTurbo | null> | null} */
let turboModule = null;

/** TurboJPEG, or null when it is not installed, cannot load here, or is turned off. */
export function loadJpegTurbo() {
  if (process.env.LATENTSCAPE_INGEST_JPEG === 'sharp') return Promise.resolve(null);
  // A name in a variable: bundlers leave the import to run time (a native module, optional
  // dependency), as backend.ts does for tfjs-node.
  const pkg = '@julusian/jpeg-turbo';
  turboModule ??= import(pkg)
    .then((m) => /** @type {JpegTurbo} */ (/** @type {any} */ (m).default ?? m))
    .then((m) => (typeof m?.decompress === 'function' && typeof m?.decompressSync === 'function' ? m : null))
    .catch(() => null);
  return turboModule;
}

/** @param {Uint8Array} b @param {number} p */
const u16 = (b, p) => (b[p] << 8) | b[p + 1];

/**
 * The EXIF orientation in an APP1 segment's payload, 1 when there is none.
 * @param {Uint8Array} b @param {number} start payload start (after the length) @param {number} end
 */
function exifOrientation(b, start, end) {
  // "Exif\0\0" then a TIFF header.
  if (end - start < 14 || b[start] !== 0x45 || b[start + 1] !== 0x78 || b[start + 2] !== 0x69 || b[start + 3] !== 0x66) return 1;
  const tiff = start + 6;
  const little = b[tiff] === 0x49;
  if (!little && b[tiff] !== 0x4d) return 0; // unreadable: let sharp decide
  const rd16 = (/** @type {number} */ p) => (little ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1]);
  const rd32 = (/** @type {number} */ p) =>
    little ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 2 ** 24 : b[p] * 2 ** 24 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  const ifd = tiff + rd32(tiff + 4);
  if (ifd + 2 > end) return 0;
  const entries = rd16(ifd);
  for (let e = 0; e < entries; e++) {
    const p = ifd + 2 + e * 12;
    if (p + 12 > end) return 0;
    if (rd16(p) === 0x0112) return rd16(p + 8);
  }
  return 1;
}

/**
 * Header facts of a JPEG that TurboJPEG may decode exactly as sharp would, or null (not a JPEG, or
 * something only sharp handles the same way).
 * @param {Uint8Array} b
 * @returns {JpegInfo | null}
 */
export function plainJpegInfo(b) {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return null;
  let p = 2;
  /** @type {JpegInfo | null} */
  let info = null;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return null;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    if (marker === 0xd9) return null;
    const length = u16(b, p + 2);
    const start = p + 4;
    const end = p + 2 + length;
    if (length < 2 || end > b.length) return null;
    if (marker === 0xda) return info; // start of scan: every header segment has been seen
    if (marker === 0xe1 && exifOrientation(b, start, end) !== 1) return null;
    // APP2 "ICC_PROFILE": sharp would convert through the profile.
    if (marker === 0xe2 && end - start >= 12 && b[start] === 0x49 && b[start + 1] === 0x43 && b[start + 2] === 0x43 && b[start + 3] === 0x5f) return null;
    // SOF0/1/2 (Huffman: baseline, extended, progressive); arithmetic, lossless and hierarchical go to sharp.
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (info || length < 8 || b[start] !== 8) return null;
      const components = b[start + 5];
      if (components !== 1 && components !== 3) return null;
      info = { height: u16(b, start + 1), width: u16(b, start + 3), components, progressive: marker === 0xc2 };
      if (info.width === 0 || info.height === 0) return null;
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return null;
    }
    p = end;
  }
  return null;
}
