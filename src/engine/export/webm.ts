/**
 * WebM export without ffmpeg or WebCodecs: each frame is encoded as a lossy WebP by sharp (libwebp).
 * A lossy WebP is one VP8 key frame in a RIFF box, so the 'VP8 ' chunk's payload is exactly a
 * VP8 frame as WebM stores it. Mediabunny muxes those key frames into a WebM (Matroska) file:
 * EBML header, Segment with Info (duration), Tracks (V_VP8, width, height), Cues, and Clusters of
 * SimpleBlocks. Every frame is a key frame, so seeking is exact and files are larger than an
 * inter-coded video would be (fine for short latent animations).
 */
import { checkFrameSet, frameAt, resolveFps, resolveScale, throwIfAborted, upscaleNearest, writeFileAtomic, type ExportOptions, type FrameSet } from './common';

export interface WebmOptions extends ExportOptions {
  /** libwebp quality 1–100 (default 92: decoded digits stay crisp). */
  quality?: number;
}

/** VP8 frames are at most 16383 px on a side (14-bit sizes in the key frame header). */
const MAX_VP8_SIZE = 16383;

/** The payload of the 'VP8 ' chunk of a lossy WebP file (RIFF 'WEBP', simple or extended layout). */
export function vp8FromWebp(webp: Uint8Array): Uint8Array {
  const text = (at: number): string => String.fromCharCode(webp[at], webp[at + 1], webp[at + 2], webp[at + 3]);
  if (webp.length < 12 || text(0) !== 'RIFF' || text(8) !== 'WEBP') throw new Error('not a WebP file (no RIFF WEBP header)');
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  const end = Math.min(webp.length, 8 + view.getUint32(4, true));
  let at = 12;
  while (at + 8 <= end) {
    const fourcc = text(at);
    const size = view.getUint32(at + 4, true);
    const start = at + 8;
    if (start + size > end) throw new Error(`WebP chunk '${fourcc}' runs past the end of the file`);
    if (fourcc === 'VP8 ') return webp.subarray(start, start + size);
    if (fourcc === 'VP8L') throw new Error('WebP is lossless (VP8L), which WebM cannot carry');
    at = start + size + (size & 1);
  }
  throw new Error("WebP has no 'VP8 ' chunk");
}

/** One frame (uint8 HWC, 1 or 3 channels) → one VP8 key frame. */
export async function encodeVp8Frame(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, quality: number): Promise<Uint8Array> {
  // libwebp encodes YUV 4:2:0 either way; a gray image is made sRGB first so sharp hands libwebp
  // the colour layout it expects.
  // Loaded at the first export, not with the engine (libvips and the muxer are ~135 ms of its start).
  const sharp = (await import('sharp')).default;
  const webp = await sharp(pixels, { raw: { width, height, channels } })
    .toColourspace('srgb')
    .webp({ quality, lossless: false, nearLossless: false, smartSubsample: false, effort: 2 })
    .toBuffer();
  return vp8FromWebp(new Uint8Array(webp.buffer, webp.byteOffset, webp.byteLength));
}

/** Encodes the frames as a WebM (VP8, key frames only) and returns its bytes. */
export async function encodeWebm(frames: FrameSet, options: WebmOptions = {}): Promise<Uint8Array> {
  checkFrameSet(frames);
  const scale = resolveScale(options.scale);
  const fps = resolveFps(options.fps);
  const quality = options.quality ?? 92;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new Error(`WebM quality must be an integer from 1 to 100, got ${quality}`);
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const { width, height, channels, count } = frames;
  const outW = width * scale;
  const outH = height * scale;
  if (outW > MAX_VP8_SIZE || outH > MAX_VP8_SIZE) throw new Error(`VP8 frames are at most ${MAX_VP8_SIZE} px on a side, got ${outW}×${outH}`);

  const { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Output, WebMOutputFormat } = await import('mediabunny');
  const target = new BufferTarget();
  const output = new Output({ format: new WebMOutputFormat(), target });
  const source = new EncodedVideoPacketSource('vp8');
  output.addVideoTrack(source, { frameRate: fps, hasOnlyKeyPackets: true });
  if (options.note) output.setMetadataTags({ comment: options.note });
  await output.start();
  try {
    for (let k = 0; k < count; k++) {
      const image = upscaleNearest(frameAt(frames, k), width, height, channels, scale);
      const vp8 = await encodeVp8Frame(image, outW, outH, channels, quality);
      throwIfAborted(signal);
      const packet = new EncodedPacket(vp8, 'key', k / fps, 1 / fps);
      await source.add(packet, k === 0 ? { decoderConfig: { codec: 'vp8', codedWidth: outW, codedHeight: outH } } : undefined);
      onProgress?.(k + 1, count);
    }
    await output.finalize();
  } catch (err) {
    await output.cancel().catch(() => undefined);
    throw err;
  }
  const buffer = target.buffer;
  if (!buffer) throw new Error('WebM muxer produced no output');
  return new Uint8Array(buffer);
}

/** Encodes and writes a WebM atomically; returns the size written. */
export async function exportWebm(frames: FrameSet, file: string, options: WebmOptions = {}): Promise<{ bytes: number }> {
  const data = await encodeWebm(frames, options);
  await writeFileAtomic(file, data, options.signal);
  return { bytes: data.length };
}
