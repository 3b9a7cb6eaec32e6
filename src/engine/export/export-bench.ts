/**
 * Speed of the GIF exporter: 120 frames of 256×256, gray (fixed palette) and RGB (quantised).
 * The frames are 32×32 upscaled ×8 (28 px MNIST frames do not scale to exactly 256), smooth rings
 * that drift and morph like decoder output along a latent path.
 */
import { encodeGif } from './gif';
import type { FrameSet } from './common';

const FRAMES = 120;
const SIZE = 32;
const SCALE = 8;

/** Decoder-like frames: soft strokes that move across the path, in [0, 255]. */
export function syntheticFrames(channels: 1 | 3, count = FRAMES, size = SIZE): FrameSet {
  const pixels = new Uint8Array(count * size * size * channels);
  let o = 0;
  for (let k = 0; k < count; k++) {
    const t = k / Math.max(1, count - 1);
    const cx = size * (0.3 + 0.4 * t);
    const cy = size * (0.5 + 0.2 * Math.sin(6.28 * t));
    const r = size * (0.18 + 0.08 * Math.cos(3.14 * t));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dist = Math.hypot(x - cx, y - cy);
        const ring = Math.exp(-(((dist - r) / 1.6) ** 2));
        const v = Math.round(255 * ring);
        if (channels === 1) pixels[o++] = v;
        else {
          pixels[o++] = v;
          pixels[o++] = Math.round(v * (0.5 + 0.5 * t));
          pixels[o++] = Math.round(255 * (1 - ring) * (x / size) * 0.6);
        }
      }
    }
  }
  return { width: size, height: size, channels, count, pixels };
}

async function timeGif(frames: FrameSet): Promise<{ ms: number; bytes: number }> {
  // One warm-up run so JIT compilation is not counted; then the best of two.
  await encodeGif({ ...frames, count: 8, pixels: frames.pixels.subarray(0, 8 * frames.width * frames.height * frames.channels) }, { scale: SCALE, fps: 30 });
  let best = Infinity;
  let bytes = 0;
  for (let run = 0; run < 2; run++) {
    const started = performance.now();
    const gif = await encodeGif(frames, { scale: SCALE, fps: 30 });
    best = Math.min(best, performance.now() - started);
    bytes = gif.length;
  }
  return { ms: best, bytes };
}

export async function benchGif(): Promise<{ gif_ms_120x256: number; gif_rgb_ms_120x256: number; gif_kb_120x256: number; gif_rgb_kb_120x256: number }> {
  const gray = await timeGif(syntheticFrames(1));
  const rgb = await timeGif(syntheticFrames(3));
  return {
    gif_ms_120x256: Math.round(gray.ms),
    gif_rgb_ms_120x256: Math.round(rgb.ms),
    gif_kb_120x256: Math.round(gray.bytes / 1024),
    gif_rgb_kb_120x256: Math.round(rgb.bytes / 1024),
  };
}
