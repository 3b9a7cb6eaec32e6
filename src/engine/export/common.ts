/**
 * What every exporter shares: the frame set (uint8 HWC images), options (scale, fps, progress,
 * cancel), nearest-neighbour upscaling, and atomic writes (temp file or folder, then rename), so a
 * failed or cancelled export never leaves a half-written file or replaces a good one.
 */
import { writeDirAtomic as writeDirAtomicNode, writeFileAtomic as writeFileAtomicNode } from '../../node/files';

/** `count` images of height × width × channels bytes each, back to back (what decodeToPixels returns). */
export interface FrameSet {
  width: number;
  height: number;
  channels: 1 | 3;
  count: number;
  pixels: Uint8Array;
}

export interface ExportOptions {
  /** Nearest-neighbour upscale factor, an integer 1–8. Default 1. */
  scale?: number;
  /** Frames per second of playback. Default 30. */
  fps?: number;
  /** Called after each frame is encoded (and once more when the output is written). */
  onProgress?: (done: number, total: number) => void;
  /** Cancels the export; nothing is written (or replaced) once it fires. */
  signal?: AbortSignal;
  /** The path as a note inside the file (shared/export-path-note.ts): a GIF comment, a PNG tEXt chunk, a WebM comment tag. */
  note?: string;
}

export const MIN_SCALE = 1;
export const MAX_SCALE = 8;
export const MIN_FPS = 1;
export const MAX_FPS = 120;

/** Thrown when an export is cancelled through its AbortSignal. */
export class ExportCancelledError extends Error {
  constructor() {
    super('export cancelled');
    this.name = 'AbortError';
  }
}

export function checkFrameSet(frames: FrameSet): void {
  const { width, height, channels, count, pixels } = frames;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`frame size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`frames must have 1 or 3 channels, got ${channels}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`need at least one frame, got ${count}`);
  const expected = count * width * height * channels;
  if (pixels.length !== expected) {
    throw new Error(`frame pixels hold ${pixels.length} bytes but ${count} frames of ${width}×${height}×${channels} need ${expected}`);
  }
}

export function resolveScale(scale: number | undefined): number {
  const s = scale ?? 1;
  if (!Number.isInteger(s) || s < MIN_SCALE || s > MAX_SCALE) throw new Error(`scale must be an integer from ${MIN_SCALE} to ${MAX_SCALE}, got ${s}`);
  return s;
}

export function resolveFps(fps: number | undefined): number {
  const f = fps ?? 30;
  if (!Number.isFinite(f) || f < MIN_FPS || f > MAX_FPS) throw new Error(`fps must be a number from ${MIN_FPS} to ${MAX_FPS}, got ${f}`);
  return f;
}

export function frameBytes(frames: Pick<FrameSet, 'width' | 'height' | 'channels'>): number {
  return frames.width * frames.height * frames.channels;
}

/** Frame k's pixels (a view, no copy). */
export function frameAt(frames: FrameSet, k: number): Uint8Array {
  const size = frameBytes(frames);
  return frames.pixels.subarray(k * size, (k + 1) * size);
}

/**
 * Nearest-neighbour upscale of one image with `bytesPerPixel` interleaved bytes per pixel (works for
 * HWC pixels and for one-byte palette indices alike). Rows are built once and copied `scale` times.
 */
export function upscaleNearest(src: Uint8Array, width: number, height: number, bytesPerPixel: number, scale: number): Uint8Array {
  if (scale === 1) return src;
  const outW = width * scale;
  const rowBytes = outW * bytesPerPixel;
  const out = new Uint8Array(rowBytes * height * scale);
  for (let y = 0; y < height; y++) {
    const rowStart = y * scale * rowBytes;
    let o = rowStart;
    const srcRow = y * width * bytesPerPixel;
    if (bytesPerPixel === 1) {
      for (let x = 0; x < width; x++) {
        const v = src[srcRow + x];
        for (let r = 0; r < scale; r++) out[o++] = v;
      }
    } else {
      for (let x = 0; x < width; x++) {
        const p = srcRow + x * bytesPerPixel;
        for (let r = 0; r < scale; r++) {
          for (let c = 0; c < bytesPerPixel; c++) out[o++] = src[p + c];
        }
      }
    }
    for (let r = 1; r < scale; r++) out.copyWithin(rowStart + r * rowBytes, rowStart, rowStart + rowBytes);
  }
  return out;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExportCancelledError();
}

/** Writes `data` to a temp file beside `file`, then renames it over `file` (nothing is written once `signal` fires). */
export function writeFileAtomic(file: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
  return writeFileAtomicNode(file, data, { check: () => throwIfAborted(signal) });
}

/**
 * Fills a fresh temp folder beside `dir`, then puts it in `dir`'s place (see src/node/files.ts); an
 * existing `dir` is replaced only if `replaceable` accepts every name in it.
 */
export function writeDirAtomic(
  dir: string,
  fill: (tempDir: string) => Promise<void>,
  replaceable: (name: string) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  return writeDirAtomicNode(dir, fill, replaceable, { check: () => throwIfAborted(signal) });
}
