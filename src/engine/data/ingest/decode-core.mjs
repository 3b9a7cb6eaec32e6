// @ts-check
/**
 * One image file → model-size pixels (+ thumbnail). Plain JavaScript on purpose: this module runs
 * both in the ingest's worker threads (worker.mjs; Node cannot start a TypeScript worker under tsx)
 * and in-process. Types for TypeScript callers are in decode-core.d.mts.
 *
 * sharp decodes — any format it reads (JPEG, PNG, WebP, GIF first frame, AVIF, TIFF…), EXIF
 * orientation applied, alpha flattened onto the background, gray or sRGB, raw uint8 out — in one
 * call after a metadata() read of the header (the byte budget's count). It shrinks only images much
 * bigger than needed (JPEG and WebP to 2× the target while they load, others to 4×), and resample.mjs
 * does the final cover/contain step (see there why). Thumbnails are area-averaged from the finished
 * image (a few KB; no second decode).
 * Plain JPEGs skip sharp: TurboJPEG decodes them at well under half the cost (jpeg-fast.mjs says which
 * files and why), on Linux at a reduced DCT scale where they are big (jpeg-scaled.mjs).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadJpegTurbo, plainJpegInfo } from './jpeg-fast.mjs';
import { dctEighths, loadScaledJpeg, scaledSide } from './jpeg-scaled.mjs';
import { FitPlanner, resampleInto } from './resample.mjs';
import { ScratchBuffers } from './scratch-buffers.mjs';

/** Decompression-bomb guard: images declaring more pixels than this are skipped, not decoded. */
export const MAX_INPUT_PIXELS = 100_000_000;
/** Files bigger than this are skipped without being read. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/**
 * Bytes one image may take while it is decoded (decodedBytes below), known from its header before
 * decoding: pixels alone do not bound memory (a 777 KB interlaced 16-bit RGBA PNG of 9,999² takes
 * 800 MB). 400 MB lets every 8-bit image under the pixel cap through.
 */
export const MAX_DECODED_BYTES = 400 * 1024 * 1024;
/**
 * Files up to this size are read with one blocking call even off the worker threads: for a
 * dataset-sized file that is a few tens of microseconds of the event loop, against the thread-pool
 * round trips of an async read (open, stat, read, close) that cost three times its CPU and queue
 * behind the decodes on the same threads.
 */
export const SYNC_READ_BYTES = 1024 * 1024;
/** TurboJPEG output buffers kept for reuse per decoder (its decodes in flight), and their largest size. */
const SCRATCH_COUNT = 16;
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;

/** Bytes per sample of each libvips band format sharp's metadata names. */
const SAMPLE_BYTES = /** @type {Record<string, number>} */ ({
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  complex: 8,
  double: 8,
  dpcomplex: 16,
});
/** The largest shrink-on-load of libjpeg and libwebp that sharp uses. */
const MAX_SHRINK_ON_LOAD = 8;

/**
 * The factor sharp has libjpeg shrink a JPEG by while loading it, for a resize by `factor` (the short
 * side over the box: cover's 'outside' fit; contain's 'inside' shrinks by the long side, at least as
 * much). sharp 0.35's pipeline.cc: the largest of 8, 4 and 2 the factor reaches, halved when the
 * factor's integer part is that power itself ("known libjpeg rounding errors").
 * @param {number} factor
 */
export function jpegShrinkOnLoad(factor) {
  const shrink = powerOfTwoReached(factor);
  return shrink > 1 && Math.trunc(factor) === shrink ? shrink / 2 : shrink;
}

/** The largest of 1, 2, 4 and 8 (MAX_SHRINK_ON_LOAD) that `factor` reaches. @param {number} factor */
function powerOfTwoReached(factor) {
  let shrink = 1;
  while (shrink < MAX_SHRINK_ON_LOAD && factor >= 2 * shrink) shrink *= 2;
  return shrink;
}

/**
 * Bytes the decoder holds for an image, from its header: width × height × channels (alpha included) ×
 * bytes per sample. JPEG and WebP shrink on load when `shrinkOnLoad` (JPEG by jpegShrinkOnLoad; WebP
 * by any factor, counted here by the power of two under it), except a progressive JPEG, whose
 * coefficients (2 bytes a sample) are held whole; every other format (PNG, interlaced or not, TIFF,
 * GIF…) is counted whole. Where the count is not exact it is larger than the decode.
 * @param {{ width: number; height: number; channels: number; depth?: string; format?: string; isProgressive?: boolean }} meta
 * @param {number} box the side the decode is resized to cover (createDecoder's shrinkBox)
 * @param {boolean} [shrinkOnLoad] false when sharp cannot shrink while loading (a pipeline colourspace)
 */
export function decodedBytes(meta, box, shrinkOnLoad = true) {
  const { width, height, channels, format } = meta;
  const sample = SAMPLE_BYTES[meta.depth ?? 'uchar'] ?? 1;
  if (format === 'jpeg' && meta.isProgressive) return width * height * channels * 2;
  const factor = Math.min(width, height) / box;
  let shrink = 1;
  if (shrinkOnLoad && format === 'jpeg') shrink = jpegShrinkOnLoad(factor);
  if (shrinkOnLoad && format === 'webp') shrink = powerOfTwoReached(factor);
  return Math.ceil(width / shrink) * Math.ceil(height / shrink) * channels * sample;
}

/** @param {number} bytes */
const megabytes = (bytes) => Math.round(bytes / 2 ** 20);

/** @type {import('./decode-core.d.mts').Admit} */
const admitAll = async () => () => {};

/** @type {Promise<typeof import('sharp').default> | null} */
let sharpModule = null;
export function loadSharp() {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/**
 * The reason shown to people for a file sharp would not decode.
 * @param {unknown} err @param {Buffer} input @param {typeof import('sharp').default} sharp
 */
async function reasonFor(err, input, sharp) {
  const message = String(/** @type {Error} */ (err)?.message ?? err);
  const firstLine = message.split('\n')[0].trim();
  if (/unsupported image format/i.test(message)) return 'not an image (unrecognised or unsupported format)';
  if (/exceeds pixel limit/i.test(message)) {
    let dims = '';
    try {
      const meta = await sharp(input, { limitInputPixels: false }).metadata();
      if (meta.width && meta.height) dims = ` ${meta.width}×${meta.height} (${Math.round((meta.width * meta.height) / 1e6)} megapixels)`;
    } catch {
      // The dimensions are a nicety; the reason stands without them.
    }
    return `image too large:${dims} exceeds the ${MAX_INPUT_PIXELS / 1e6}-megapixel limit`;
  }
  if (/premature end|truncat|unexpected end|read error|corrupt|bogus|invalid|not a |bad |error|damaged/i.test(message)) {
    return `corrupt or truncated image: ${firstLine}`;
  }
  return `cannot decode: ${firstLine}`;
}

/** @param {unknown} err */
function readReason(err) {
  const code = /** @type {NodeJS.ErrnoException} */ (err)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read file: permission denied';
  if (code === 'ENOENT') return 'file vanished before it could be read';
  if (code === 'EISDIR') return 'not a regular file';
  return `cannot read file: ${/** @type {Error} */ (err)?.message ?? String(err)}`;
}

/**
 * @param {import('./decode-core.d.mts').DecodeSettings} settings
 * @returns {Promise<import('./decode-core.d.mts').Decoder>}
 */
export async function createDecoder(settings) {
  // sharp only when a file needs it (anything but a plain JPEG) or for a gray background below: a
  // worker that only ever sees plain JPEGs starts without loading libvips (most of its start).
  const turbo = await loadJpegTurbo();
  const scaledJpeg = await loadScaledJpeg();
  const { size, color, fit, thumbSize } = settings;
  const maxDecodedBytes = settings.maxDecodedBytes ?? MAX_DECODED_BYTES;
  const [r, g, b] = settings.background;
  const channels = color === 'gray' ? 1 : 3;
  const planner = new FitPlanner();
  const flattenOptions = { background: { r, g, b } };
  // sharp flattens a gray + alpha image in its own colourspace, onto the background's red alone: a
  // coloured background needs the pipeline in sRGB first. A gray one (white, black) keeps the
  // pipeline as it was, and so its pixels and caches.
  const colouredBackground = r !== g || g !== b;
  // Longest side sharp hands over: 4× the target leaves the area average plenty of pixels, and at
  // least 256 so that typical small images are decoded without sharp's resize stage at all.
  const box = Math.max(256, 4 * Math.max(size, thumbSize));
  // JPEG and WebP are shrunk while they load, by as much as the resize allows (jpegShrinkOnLoad):
  // big ones are resized to 2× the final side, so a 2,048² JPEG loads at 1/8 (256²), not 1/4.
  // Measured (issue 22, 64² out): 1,200² JPEGs 1.4×, 2,048² 1.2× the images per second; 1× the final
  // side was no faster than 2×.
  const shrinkBox = 2 * Math.max(size, thumbSize);
  /** @param {number} side */
  const resizeOptions = (side) =>
    /** @type {const} */ ({
      width: side,
      height: side,
      // Keep every pixel the final step needs: cover crops the short side, contain shows everything.
      fit: fit === 'cover' ? 'outside' : 'inside',
      withoutEnlargement: true,
    });
  /** The background in output channels, converted by sharp itself (for contain padding). */
  let fill = [r, g, b];
  if (channels === 1) {
    const sharp = await loadSharp();
    const grey = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r, g, b } } })
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer();
    fill = [grey[0]];
  }

  const scratch = new ScratchBuffers(SCRATCH_COUNT, SCRATCH_MAX_BYTES);
  /**
   * TurboJPEG's decode of a plain JPEG (jpeg-fast.mjs says which), finished, or null: sharp decides.
   * With DCT scaling (jpeg-scaled.mjs) any size, at the smallest of 1/8, 1/4, 1/2 that leaves the fit
   * side 2× the final one (shrinkBox, as sharp's shrink-on-load gets); a progressive JPEG bigger than
   * `box` still goes to sharp, which counts its coefficients (held whole) against the byte budget.
   * Without scaling only JPEGs sharp would not shrink, at full size. Gray output from a colour JPEG is
   * sharp's (it converts through linear light). It decodes into a reused buffer; `sync` decodes on this
   * thread (worker threads: no hop to the process-wide libuv pool, so every worker decodes on its own core).
   * @param {Buffer} input @param {import('./decode-core.d.mts').Admit} admit @param {boolean} sync
   */
  const decodeJpegFast = async (input, admit, sync) => {
    if (!turbo) return null;
    const jpeg = plainJpegInfo(input);
    if (!jpeg || (channels === 1 && jpeg.components !== 1)) return null;
    if (jpeg.width * jpeg.height > MAX_INPUT_PIXELS) return null;
    const fitSide = fit === 'cover' ? Math.min(jpeg.width, jpeg.height) : Math.max(jpeg.width, jpeg.height);
    if (fitSide > box && (!scaledJpeg || jpeg.progressive)) return null;
    const eighths = scaledJpeg ? dctEighths(fitSide, shrinkBox) : 8;
    const width = scaledSide(jpeg.width, eighths);
    const height = scaledSide(jpeg.height, eighths);
    const bytes = width * height * channels;
    const release = await admit(bytes);
    const buffer = scratch.take(bytes);
    try {
      if (scaledJpeg) {
        const done = await scaledJpeg.decode(input, buffer, width, height, channels === 1, sync);
        return done ? finish(buffer.subarray(0, bytes), width, height) : null;
      }
      const options = { format: channels === 1 ? turbo.FORMAT_GRAY : turbo.FORMAT_RGB };
      const out = sync ? turbo.decompressSync(input, buffer, options) : await turbo.decompress(input, buffer, options);
      if (out.width !== jpeg.width || out.height !== jpeg.height || out.data.length !== bytes) return null;
      return finish(out.data, out.width, out.height);
    } catch {
      return null; // a warning or an error: sharp decides, and words the reason
    } finally {
      // Settled (or never started): TurboJPEG no longer writes it, and finish() has copied what it needs.
      scratch.give(buffer);
      release();
    }
  };

  /**
   * What sharp's decode of `input` will hold, from its header (0 when the header cannot be read or the
   * pixel cap refuses the image: the decode then fails fast and words the reason), or why it is refused.
   * With the bytes: the side sharp resizes to (`target`) and whether it needs the sRGB pipeline.
   * @param {Buffer} input
   * @returns {Promise<{ bytes: number; target?: number; srgbPipeline?: boolean } | { skip: string; remember: boolean }>}
   */
  const decodeCost = async (input) => {
    const sharp = await loadSharp();
    let meta;
    try {
      meta = await sharp(input, { limitInputPixels: false }).metadata();
    } catch {
      return { bytes: 0 };
    }
    const { width, height, channels } = meta;
    if (!width || !height || !channels || width * height > MAX_INPUT_PIXELS) return { bytes: 0 };
    // Only an image with alpha needs the sRGB pipeline (see colouredBackground), which stops sharp's
    // shrink-on-load: a coloured background used to decode every big photo whole (6× the time).
    const srgbPipeline = colouredBackground && meta.hasAlpha === true;
    // The smaller target only where it makes the decoder shrink more; other images keep the resize
    // (or none) they had.
    const side = Math.min(width, height);
    const shrinksMore = (meta.format === 'jpeg' && jpegShrinkOnLoad(side / shrinkBox) > jpegShrinkOnLoad(side / box)) || (meta.format === 'webp' && side > box);
    const target = shrinksMore ? shrinkBox : box;
    const bytes = decodedBytes({ ...meta, width, height, channels }, target, !srgbPipeline);
    if (bytes <= maxDecodedBytes) return { bytes, target, srgbPipeline };
    const bits = 8 * (SAMPLE_BYTES[meta.depth ?? 'uchar'] ?? 1);
    return {
      skip: `image too large to decode: ${width}×${height}, ${channels} channels of ${bits} bits take ${megabytes(bytes)} MB decoded (limit ${megabytes(maxDecodedBytes)} MB)`,
      remember: true,
    };
  };

  /** @param {Buffer} input @param {import('./decode-core.d.mts').Admit} admit @param {boolean} sync */
  const decodeBytes = async (input, admit = admitAll, sync = false) => {
    if (input.length === 0) return { skip: 'empty file (0 bytes)', remember: true };
    const fast = await decodeJpegFast(input, admit, sync);
    if (fast) return fast;
    const cost = await decodeCost(input);
    if ('skip' in cost) return cost;
    const release = await admit(cost.bytes);
    const sharp = await loadSharp();
    let out;
    try {
      // Sequential read (sharp's default, stated so a change of default cannot cost memory unseen): the
      // resize to the target takes libvips's shrink-on-load for JPEG and WebP (the decoder scales by
      // 1/2 to 1/8), EXIF rotation included — checked: a 4000×3000 JPEG costs 10.6 CPU-ms here against 15
      // with fastShrinkOnLoad off, a WebP 59 against 173.
      const image = sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true, sequentialRead: true });
      // Unread headers (bytes 0: the decode will fail and say why) keep the old, safe settings.
      if (cost.srgbPipeline ?? colouredBackground) image.pipelineColourspace('srgb');
      out = await image
        .flatten(flattenOptions)
        .resize(resizeOptions(cost.target ?? box))
        .toColourspace(color === 'gray' ? 'b-w' : 'srgb')
        .removeAlpha()
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
    } catch (err) {
      // libvips keeps one error buffer for the whole process: with several decodes failing at once
      // a message can carry another file's words. `recheck` asks the caller to decode this file
      // again alone for its own reason.
      return { skip: await reasonFor(err, input, sharp), remember: true, recheck: true };
    } finally {
      release();
    }
    const { data, info } = out;
    if (info.channels !== channels || data.length !== info.width * info.height * channels) {
      return { skip: `cannot decode: unexpected ${info.channels}-channel ${info.width}×${info.height} output`, remember: true };
    }
    return finish(data, info.width, info.height);
  };

  /**
   * Decoded pixels → the model-size image and its thumbnail.
   * @param {Uint8Array} data width × height × channels @param {number} width @param {number} height
   */
  const finish = (data, width, height) => {
    const pixels = new Uint8Array(size * size * channels);
    resampleInto(data, planner.get(width, height, channels, size, fit), pixels, 0, fill);
    let thumb = null;
    if (thumbSize > 0) {
      thumb = new Uint8Array(thumbSize * thumbSize * channels);
      resampleInto(pixels, planner.get(size, size, channels, thumbSize, 'cover'), thumb, 0, fill);
    }
    return { pixels, thumb };
  };

  return {
    channels,
    decodeBytes: (input, admit) => decodeBytes(input, admit),
    async decodeFile(path, fileSize, sync = false, admit = admitAll) {
      if (fileSize > MAX_FILE_BYTES) {
        return { skip: `file too large: ${Math.round(fileSize / 2 ** 20)} MB (limit ${MAX_FILE_BYTES / 2 ** 20} MB)`, remember: true };
      }
      let bytes;
      try {
        // Sync in worker threads (no event loop to keep free) and for small files (SYNC_READ_BYTES).
        bytes = sync || fileSize <= SYNC_READ_BYTES ? readFileSync(path) : await readFile(path);
      } catch (err) {
        return { skip: readReason(err), remember: false };
      }
      return decodeBytes(bytes, admit, sync);
    },
  };
}
