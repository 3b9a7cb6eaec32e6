/**
 * Paths through latent space, decoded: the preview (frames and, on request, their images in one
 * batched decode) and the exports (GIF, WebM, PNG frames, sprite sheet, one PNG) with progress
 * events and cancel. One export at a time; a cancelled or failed export writes nothing.
 */
import { interpolatePath } from './latent/interpolate';
import type { PathOptions } from '../shared/latent-path';
import { exportAnimation, ExportCancelledError, upscaleNearest, writeFileAtomic } from './export/index';
import { encodePng } from './export/sprite';
import type { Vae } from './model/vae';
import type { Emit, EngineSession } from './session';
import { yieldToEventLoop } from '../node/event-loop';
import { MAX_PREVIEW_FRAMES } from '../shared/contract';
import { EngineCallError, type EngineParsedArgs, type EngineResults } from '../shared/engine-protocol';

/** Latents decoded per backend call for previews and exports. */
const DECODE_BATCH = 256;

type PathArgs = Pick<EngineParsedArgs<'export'>, 'keyframes' | 'frames' | 'mode' | 'easing' | 'loop' | 'spacing'>;

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

  async export(args: EngineParsedArgs<'export'>): Promise<EngineResults['export']> {
    const { vae } = this.session.requireModel();
    if (this.exporting) throw new EngineCallError('busy', 'an export is already running: wait for it or cancel it');
    const controller = new AbortController();
    this.exporting = controller;
    try {
      const d = vae.config.latentDim;
      const path = this.path('export', d, args);
      const c = vae.config;
      const total = args.frames;
      this.emit({ type: 'export', stage: 'decode', done: 0, total });
      const pixels = await this.decodeBatched(vae, path, total, (done) => this.emit({ type: 'export', stage: 'decode', done, total }), controller.signal);
      let last = 0;
      return await exportAnimation({ width: c.width, height: c.height, channels: c.channels, count: total, pixels }, args.path, {
        fps: args.fps,
        scale: args.scale,
        signal: controller.signal,
        onProgress: (done, of) => {
          // Every frame is too chatty for the socket: about 50 updates per export, and the last.
          if (done === of || done - last >= Math.max(1, Math.floor(of / 50))) {
            last = done;
            this.emit({ type: 'export', stage: 'encode', done, total: of });
          }
        },
      });
    } catch (err) {
      if (err instanceof ExportCancelledError || controller.signal.aborted)
        throw new EngineCallError('cancelled', 'the export was cancelled: nothing was written');
      throw err;
    } finally {
      this.exporting = null;
    }
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
