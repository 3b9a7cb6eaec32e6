/**
 * Paths through latent space, decoded: the preview (frames and, on request, their images in one
 * batched decode) and the exports (GIF, WebM, PNG frames, sprite sheet, one PNG) with progress
 * events and cancel. One export at a time; a cancelled or failed export writes nothing.
 */
import { frameTime, interpolatePath, pathAtTimes, segmentBreaks } from './latent/interpolate';
import { changeSampleCount, equalChangeClock, frameOrder, keyframeFrames, pixelChanges, timelineTime } from '../shared/frame-spacing';
import { MAX_VIDEO_FRAME_BYTES } from '../shared/video-schemas';
import type { PathOptions } from '../shared/latent-path';
import { exportAnimation, exportKindFor, ExportCancelledError, upscaleNearest, writeFileAtomic } from './export/index';
import { encodePng } from './export/sprite';
import type { Vae } from './model/vae';
import type { Emit, EngineSession } from './session';
import { yieldToEventLoop } from '../node/event-loop';
import { MAX_PREVIEW_FRAMES } from '../shared/contract';
import { EngineCallError, type EngineParsedArgs, type EngineResults } from '../shared/engine-protocol';

/** Latents decoded per backend call for previews and exports. */
const DECODE_BATCH = 256;

type PathArgs = Pick<EngineParsedArgs<'export'>, 'keyframes' | 'frames' | 'mode' | 'easing' | 'loop' | 'spacing'>;
type TimelineArgs = PathArgs & Pick<EngineParsedArgs<'export'>, 'hold' | 'equalChange'>;
/** Frames one export writes, hold frames and repeats included, and their decoded bytes. */
const MAX_EXPORT_FRAMES = 100_000;
const MAX_EXPORT_BYTES = 1024 * 1024 * 1024;

export class LatentPaths {
  private exporting: AbortController | null = null;

  constructor(
    private readonly session: EngineSession,
    private readonly emit: Emit,
  ) {}

  /** Splits k × d keyframes into k vectors, checking their size against the model. */
  private keyframesOf(flat: Float32Array, d: number, op: string): Float32Array[] {
    if (flat.length < 2 * d || flat.length % d !== 0) {
      throw new EngineCallError(
        'bad-arguments',
        `${op}: keyframes must hold k × ${d} numbers with k ≥ 2 (the model's latent size is ${d}), got ${flat.length}`,
      );
    }
    const keyframes: Float32Array[] = [];
    for (let i = 0; i < flat.length; i += d) keyframes.push(flat.slice(i, i + d));
    return keyframes;
  }

  private path(op: string, d: number, args: PathArgs): Float32Array {
    const keyframes = this.keyframesOf(args.keyframes, d, op);
    const options: PathOptions = { frames: args.frames, mode: args.mode, easing: args.easing, loop: args.loop, spacing: args.spacing };
    try {
      return interpolatePath(keyframes, options);
    } catch (err) {
      throw new EngineCallError('bad-arguments', `${op}: ${(err as Error).message}`);
    }
  }

  /** Decodes n latents in batches, yielding between them (so a cancel can arrive) and reporting progress. */
  private async decodeBatched(vae: Vae, latents: Float32Array, n: number, onBatch?: (done: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
    const c = vae.config;
    const d = c.latentDim;
    const frameSize = c.height * c.width * c.channels;
    const pixels = new Uint8Array(n * frameSize);
    for (let from = 0; from < n; from += DECODE_BATCH) {
      if (signal?.aborted) throw new ExportCancelledError();
      const count = Math.min(DECODE_BATCH, n - from);
      pixels.set(await vae.decodeToPixels(latents.subarray(from * d, (from + count) * d), count), from * frameSize);
      onBatch?.(from + count);
      if (from + count < n) await yieldToEventLoop();
    }
    return pixels;
  }

  async interpolate(args: EngineParsedArgs<'interpolate'>): Promise<EngineResults['interpolate']> {
    const { vae } = this.session.requireModel();
    const d = vae.config.latentDim;
    const z = this.path('interpolate', d, args);
    if (!args.decode) return { z, frames: args.frames, latentDim: d, images: null };
    if (args.frames > MAX_PREVIEW_FRAMES)
      throw new EngineCallError('bad-arguments', `interpolate: at most ${MAX_PREVIEW_FRAMES} frames are decoded for a preview, got ${args.frames}`);
    const pixels = await this.decodeBatched(vae, z, args.frames);
    return { z, frames: args.frames, latentDim: d, images: this.session.images(pixels, args.frames, vae) };
  }

  /**
   * The export's frames decoded, in the order they are shown: the path's frames (or, with
   * equalChange, frames placed by equal change of a dense decoded sampling: shared/frame-spacing.ts),
   * each frame at a keyframe `hold` more times, the whole `repeats` times.
   */
  private async timeline(vae: Vae, args: TimelineArgs, repeats: number, signal: AbortSignal, maxBytes: number): Promise<{ pixels: Uint8Array; count: number }> {
    const c = vae.config;
    const d = c.latentDim;
    const frameSize = c.height * c.width * c.channels;
    const n = args.frames;
    let z = this.path('export', d, args);
    const keyframes = this.keyframesOf(args.keyframes, d, 'export');
    const shape = { mode: args.mode, easing: args.easing, spacing: args.spacing };
    const pingPong = args.loop === 'ping-pong';
    const dense = args.equalChange ? changeSampleCount(n) : 0;
    const total = n + dense;
    const progress = (done: number): void => this.emit({ type: 'export', stage: 'decode', done, total });
    progress(0);
    let times = Array.from({ length: n }, (_, k) => frameTime(k, n, args.loop));
    if (args.equalChange) {
      const clock = Array.from({ length: dense }, (_, j) => timelineTime(j / (dense - 1), pingPong));
      const densePixels = await this.decodeBatched(vae, pathAtTimes(keyframes, shape, clock), dense, progress, signal);
      times = equalChangeClock(pixelChanges(densePixels, frameSize, dense), n).map((s) => timelineTime(s, pingPong));
      z = pathAtTimes(keyframes, shape, times);
    }
    let order: number[];
    try {
      order = frameOrder(n, keyframeFrames(times, segmentBreaks(keyframes, args.spacing)), args.hold ?? 0, repeats);
    } catch (err) {
      throw new EngineCallError('bad-arguments', `export: ${(err as Error).message}`);
    }
    if (order.length > MAX_EXPORT_FRAMES || order.length * frameSize > maxBytes) {
      throw new EngineCallError(
        'bad-arguments',
        `export: ${order.length} frames of ${c.width}×${c.height} are more than one export holds (${MAX_EXPORT_FRAMES} frames, ${maxBytes / 2 ** 20} MB): fewer frames, hold frames or loops`,
      );
    }
    const decoded = await this.decodeBatched(vae, z, n, (done) => progress(dense + done), signal);
    if (order.length === n && order.every((k, i) => k === i)) return { pixels: decoded, count: n };
    const pixels = new Uint8Array(order.length * frameSize);
    order.forEach((k, i) => pixels.set(decoded.subarray(k * frameSize, (k + 1) * frameSize), i * frameSize));
    return { pixels, count: order.length };
  }

  /** Starts the one export that may run; `work` gets its cancel signal. */
  private async exclusive<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.exporting) throw new EngineCallError('busy', 'an export is already running: wait for it or cancel it');
    const controller = new AbortController();
    this.exporting = controller;
    try {
      return await work(controller.signal);
    } catch (err) {
      if (err instanceof ExportCancelledError || controller.signal.aborted)
        throw new EngineCallError('cancelled', 'the export was cancelled: nothing was written');
      throw err;
    } finally {
      this.exporting = null;
    }
  }

  async exportFrames(args: EngineParsedArgs<'exportFrames'>): Promise<EngineResults['exportFrames']> {
    const { vae } = this.session.requireModel();
    return this.exclusive(async (signal) => {
      const { pixels, count } = await this.timeline(vae, args, Math.max(1, args.loops ?? 1), signal, MAX_VIDEO_FRAME_BYTES);
      return this.session.images(pixels, count, vae);
    });
  }

  async export(args: EngineParsedArgs<'export'>): Promise<EngineResults['export']> {
    const { vae } = this.session.requireModel();
    return this.exclusive(async (signal) => {
      const c = vae.config;
      // A GIF has a loop field of its own; every other kind plays the path `loops` times over.
      const gif = (await exportKindFor(args.path).catch(() => null)) === 'gif';
      const { pixels, count } = await this.timeline(vae, args, gif ? 1 : Math.max(1, args.loops ?? 1), signal, MAX_EXPORT_BYTES);
      let last = 0;
      return exportAnimation({ width: c.width, height: c.height, channels: c.channels, count, pixels }, args.path, {
        fps: args.fps,
        scale: args.scale,
        ...(gif ? { loops: args.loops ?? 0 } : {}),
        ...(args.quality !== undefined ? { quality: args.quality } : {}),
        ...(args.note !== undefined ? { note: args.note } : {}),
        signal,
        onProgress: (done, of) => {
          // Every frame is too chatty for the socket: about 50 updates per export, and the last.
          if (done === of || done - last >= Math.max(1, Math.floor(of / 50))) {
            last = done;
            this.emit({ type: 'export', stage: 'encode', done, total: of });
          }
        },
      });
    });
  }

  exportCancel(): EngineResults['exportCancel'] {
    if (!this.exporting) return { cancelled: false };
    this.exporting.abort();
    return { cancelled: true };
  }

  async exportImage(args: EngineParsedArgs<'exportImage'>): Promise<EngineResults['exportImage']> {
    const image = await this.session.decode({ z: args.z });
    if (image.count !== 1) throw new EngineCallError('bad-arguments', `exportImage: z must be one latent vector, got ${image.count}`);
    const { width, height, channels, pixels } = image;
    const png = await encodePng(upscaleNearest(pixels, width, height, channels, args.scale), width * args.scale, height * args.scale, channels);
    await writeFileAtomic(args.path, png);
    return { path: args.path, bytes: png.byteLength };
  }
}
