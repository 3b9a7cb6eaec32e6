/**
 * MP4 (H.264) in the page: the engine is Node and has no WebCodecs, the window does. The frames come
 * decoded from the engine (exportFrames); they are upscaled here (nearest, as every export is),
 * encoded by the platform's VideoEncoder and muxed by mediabunny with the path as the comment tag;
 * the service writes the bytes (exportVideo).
 */
import { BufferTarget, canEncodeVideo, Mp4OutputFormat, Output, Quality, VideoSample, VideoSampleSource } from 'mediabunny';
import type { Images } from '../../shared/contract';
import { DEFAULT_MP4_KBPS, Mp4CancelledError } from './mp4-settings';

/** Whether this window can encode H.264 at `width`×`height` (false without WebCodecs). */
export async function canEncodeMp4(width = 112, height = 112): Promise<boolean> {
  if (typeof VideoEncoder === 'undefined') return false;
  try {
    return await canEncodeVideo('avc', { width, height, bitrate: DEFAULT_MP4_KBPS * 1000 });
  } catch {
    return false;
  }
}

/** Frame k as RGBA at `scale`× (nearest neighbour): what a VideoSample takes. */
export function rgbaFrame(images: Images, k: number, scale: number): Uint8Array {
  const { width, height, channels } = images;
  const outW = width * scale;
  const out = new Uint8Array(outW * height * scale * 4);
  const base = k * width * height * channels;
  for (let y = 0; y < height * scale; y++) {
    const row = Math.floor(y / scale) * width;
    for (let x = 0; x < outW; x++) {
      const p = base + (row + Math.floor(x / scale)) * channels;
      const o = (y * outW + x) * 4;
      out[o] = images.pixels[p];
      out[o + 1] = images.pixels[channels === 3 ? p + 1 : p];
      out[o + 2] = images.pixels[channels === 3 ? p + 2 : p];
      out[o + 3] = 255;
    }
  }
  return out;
}

export interface Mp4Options {
  scale: number;
  fps: number;
  kbps: number;
  /** The path, embedded as the file's comment tag. */
  note: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Encodes the frames as an H.264 MP4 and returns its bytes. */
export async function encodeMp4(images: Images, options: Mp4Options): Promise<Uint8Array> {
  const width = images.width * options.scale;
  const height = images.height * options.scale;
  // 4:2:0 video halves the chroma planes: encoders refuse odd sizes.
  if (width % 2 || height % 2) throw new Error(`MP4 frames need an even width and height, got ${width}×${height}: choose an even scale`);
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target });
  const source = new VideoSampleSource({ codec: 'avc', quality: new Quality({ bitrate: options.kbps * 1000 }), keyFrameInterval: 2 });
  output.addVideoTrack(source, { frameRate: options.fps });
  output.setMetadataTags({ comment: options.note });
  await output.start();
  try {
    for (let k = 0; k < images.count; k++) {
      if (options.signal?.aborted) throw new Mp4CancelledError('the export was cancelled: nothing was written');
      const sample = new VideoSample(rgbaFrame(images, k, options.scale), {
        format: 'RGBA',
        codedWidth: width,
        codedHeight: height,
        timestamp: k / options.fps,
        duration: 1 / options.fps,
      });
      try {
        await source.add(sample);
      } finally {
        sample.close();
      }
      options.onProgress?.(k + 1, images.count);
    }
    await output.finalize();
  } catch (err) {
    await output.cancel().catch(() => undefined);
    throw err;
  }
  if (!target.buffer) throw new Error('the MP4 muxer produced no output');
  return new Uint8Array(target.buffer);
}
