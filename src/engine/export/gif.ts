/**
 * Animated GIF export with gifenc. Gray frames use a fixed 256-level gray palette, so the palette
 * index is the pixel value itself: no quantisation and no loss. RGB frames share one global
 * palette quantised from a sample of frames. Palette indices are computed at the source resolution
 * and then upscaled, which is both exact (nearest neighbour) and much faster than mapping every
 * upscaled pixel. The GIF loops forever. GIF delays are whole centiseconds and browsers slow
 * anything under 2 cs down to 10 cs, so GIFs play at most 50 fps; WebM has no such limit.
 */
import * as gifencModule from 'gifenc';
import type { Palette } from 'gifenc';
import { checkFrameSet, frameAt, resolveFps, resolveScale, throwIfAborted, upscaleNearest, writeFileAtomic, type ExportOptions, type FrameSet } from './common';
import { yieldToEventLoop } from '../../node/event-loop';
import { gifWithComment } from '../../node/image-notes';

export interface GifOptions extends ExportOptions {
  /** Times the GIF plays: 0 (default) forever. */
  loops?: number;
}

// gifenc ships CommonJS (Node sees only a default export) and an ES build (bundlers see named
// exports); take whichever shape this loader produced.
const gifenc: typeof gifencModule.default =
  (gifencModule as unknown as { GIFEncoder?: unknown }).GIFEncoder !== undefined
    ? (gifencModule as unknown as typeof gifencModule.default)
    : gifencModule.default;

/** How many frames the RGB palette is quantised from (evenly spaced, first and last included). */
const PALETTE_SAMPLE_FRAMES = 16;
/** Browsers play GIF delays under 2 cs as 10 cs; never write one. */
const MIN_DELAY_CS = 2;

export const GRAY_PALETTE: Palette = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/**
 * Per-frame delays in centiseconds whose running sum follows k·100/fps, so the average rate is the
 * requested fps even when 100/fps is not an integer (30 fps → 3, 3, 4, 3, 3, 4 …).
 */
export function gifDelaysCs(count: number, fps: number): number[] {
  const delays: number[] = [];
  for (let k = 0; k < count; k++) {
    const d = Math.round((100 * (k + 1)) / fps) - Math.round((100 * k) / fps);
    delays.push(Math.max(MIN_DELAY_CS, d));
  }
  return delays;
}

function toRgba(rgb: Uint8Array, pixels: number, out = new Uint8Array(pixels * 4)): Uint8Array {
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    out[j] = rgb[i * 3];
    out[j + 1] = rgb[i * 3 + 1];
    out[j + 2] = rgb[i * 3 + 2];
    out[j + 3] = 255;
  }
  return out;
}

/** A global palette (≤ 256 colours) quantised from evenly spaced frames. */
export function rgbPalette(frames: FrameSet): Palette {
  const pixelsPerFrame = frames.width * frames.height;
  const samples = Math.min(frames.count, PALETTE_SAMPLE_FRAMES);
  const rgba = new Uint8Array(samples * pixelsPerFrame * 4);
  for (let s = 0; s < samples; s++) {
    const k = samples === 1 ? 0 : Math.round((s * (frames.count - 1)) / (samples - 1));
    toRgba(frameAt(frames, k), pixelsPerFrame, rgba.subarray(s * pixelsPerFrame * 4, (s + 1) * pixelsPerFrame * 4));
  }
  return gifenc.quantize(rgba, 256, { format: 'rgb565' });
}

/** Encodes the frames as a looping GIF and returns its bytes. */
export async function encodeGif(frames: FrameSet, options: GifOptions = {}): Promise<Uint8Array> {
  checkFrameSet(frames);
  const scale = resolveScale(options.scale);
  const fps = resolveFps(options.fps);
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const { width, height, count } = frames;
  const outW = width * scale;
  const outH = height * scale;
  if (outW > 65535 || outH > 65535) throw new Error(`GIF frames are at most 65535 px wide and high, got ${outW}×${outH}`);
  const pixelsPerFrame = width * height;
  const palette = frames.channels === 1 ? GRAY_PALETTE : rgbPalette(frames);
  const delays = gifDelaysCs(count, fps);
  const encoder = gifenc.GIFEncoder({ initialCapacity: Math.max(4096, (outW * outH * count) >> 2) });
  const rgba = frames.channels === 3 ? new Uint8Array(pixelsPerFrame * 4) : null;
  for (let k = 0; k < count; k++) {
    const src = frameAt(frames, k);
    const index = rgba ? gifenc.applyPalette(toRgba(src, pixelsPerFrame, rgba), palette, 'rgb565') : src;
    encoder.writeFrame(upscaleNearest(index, width, height, 1, scale), outW, outH, {
      palette: k === 0 ? palette : null,
      delay: delays[k] * 10,
      repeat: gifRepeat(options.loops ?? 0),
    });
    onProgress?.(k + 1, count);
    await yieldToEventLoop();
    throwIfAborted(signal);
  }
  encoder.finish();
  return options.note ? gifWithComment(encoder.bytes(), options.note) : encoder.bytes();
}

/**
 * gifenc's repeat for a loop count: 0 plays forever (repeat 0); n plays n times in all (the
 * Netscape field counts the plays after the first; −1 writes no loop block: once).
 */
export function gifRepeat(loops: number): number {
  if (!Number.isInteger(loops) || loops < 0 || loops > 65535) throw new Error(`a GIF loop count must be an integer from 0 (forever) to 65535, got ${loops}`);
  return loops === 0 ? 0 : loops === 1 ? -1 : loops - 1;
}

/** Encodes and writes a GIF atomically; returns the size written. */
export async function exportGif(frames: FrameSet, file: string, options: GifOptions = {}): Promise<{ bytes: number }> {
  const data = await encodeGif(frames, options);
  await writeFileAtomic(file, data, options.signal);
  return { bytes: data.length };
}
