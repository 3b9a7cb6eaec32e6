/**
 * The animation's export run and its options (AnimationState's part that writes files): GIF, WebM,
 * PNG frames and sprite sheets are decoded and encoded by the engine; MP4 is decoded by the engine
 * and encoded here (mp4-export.ts), its bytes written by the service. Hold frames, the loop count,
 * equal-change spacing and the quality apply to every format that has them.
 */
import type { CallInput, EventData, InsideDatasetConfirmed } from '../../shared/contract';
import type { Session } from '../shell/session';
import { confirmingDataset } from '../shell/confirm-inside-dataset';
import { formatBytes, type ExportFormat } from './animation-export';
import { DEFAULT_MP4_KBPS, Mp4CancelledError } from './mp4-settings';

export interface ExportRun {
  state: 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';
  stage: 'decode' | 'encode';
  done: number;
  total: number;
  message: string | null;
  path: string | null;
}

/** What the exporter reads from the animation it belongs to. */
export interface ExportSource {
  readonly ready: boolean;
  readonly fps: number;
  readonly scale: number;
  exportArgs(): Pick<CallInput<'export'>, 'keyframes' | 'frames' | 'mode' | 'easing' | 'loop' | 'sources'> & { frames: number };
}

/** The message where the window has no H.264 encoder (issue 27: say it plainly, offer WebM). */
export const NO_MP4_MESSAGE = 'MP4 needs an H.264 encoder, which this system lacks — WebM instead';

export class AnimationExporter {
  run = $state<ExportRun | null>(null);
  /** Extra copies of each frame at a keyframe. */
  hold = $state(0);
  /** Times it plays: a GIF's loop field (0: forever); video and frames repeat the path. */
  loops = $state(0);
  /** Frames spaced by equal change of the decoded image rather than equal steps in z. */
  equalChange = $state(false);
  /** WebM's quality (libwebp, 1–100). */
  quality = $state(92);
  /** MP4's bitrate in kbit/s. */
  kbps = $state(DEFAULT_MP4_KBPS);
  /** Whether this window encodes H.264 (null: not asked yet). */
  mp4 = $state<boolean | null>(null);

  private encoding: AbortController | null = null;

  constructor(
    private readonly app: Session,
    private readonly source: ExportSource,
    private readonly ask: (question: string) => boolean,
  ) {}

  /** Asks the window's encoder once whether it has H.264 at this size. */
  async probeMp4(width: number, height: number): Promise<boolean> {
    const { canEncodeMp4 } = await import('./mp4-export');
    this.mp4 = await canEncodeMp4(width + (width % 2), height + (height % 2));
    return this.mp4;
  }

  progress(p: EventData<'exportProgress'>): void {
    const run = this.run;
    if (run && (run.state === 'running' || run.state === 'cancelling')) this.run = { ...run, stage: p.stage, done: p.done, total: p.total };
  }

  private timeline(): Pick<CallInput<'export'>, 'hold' | 'loops' | 'equalChange'> {
    return { hold: Math.round(this.hold), loops: Math.round(this.loops), equalChange: this.equalChange };
  }

  async export(path: string, format: ExportFormat): Promise<void> {
    if (!this.source.ready) return;
    const target = format === 'frames' && !/[\\/]$/.test(path) ? `${path}/` : path;
    const args = this.source.exportArgs();
    this.run = { state: 'running', stage: 'decode', done: 0, total: args.frames, message: null, path: null };
    try {
      // An MP4 is encoded once: only its write is asked again when it lands in the dataset's folder.
      const bytes = format === 'mp4' ? await this.mp4Bytes(args) : null;
      const r = await confirmingDataset(this.ask, (c) =>
        bytes ? this.app.api.call('exportVideo', { path: target, bytes, ...c }) : this.engineExport(target, format, args, c),
      );
      const total = this.run?.total ?? args.frames;
      this.run = {
        state: 'done',
        stage: 'encode',
        done: total,
        total,
        message: `Wrote ${r.path} (${formatBytes(r.bytes)}${r.files > 1 ? `, ${r.files} files` : ''})`,
        path: r.path,
      };
    } catch (err) {
      const e = err as { code?: string; message: string };
      const cancelled = e.code === 'cancelled' || err instanceof Mp4CancelledError;
      this.run = { ...(this.run ?? { stage: 'decode', done: 0, total: 0 }), state: cancelled ? 'cancelled' : 'failed', message: e.message, path: null };
    } finally {
      this.encoding = null;
    }
  }

  private engineExport(path: string, format: ExportFormat, args: ReturnType<ExportSource['exportArgs']>, c: InsideDatasetConfirmed) {
    const quality = format === 'webm' ? { quality: Math.round(this.quality) } : {};
    const fps = Math.round(this.source.fps);
    return this.app.api.call('export', { ...args, ...this.timeline(), ...quality, path, fps, scale: Math.round(this.source.scale), ...c });
  }

  /** The engine decodes the frames; this window encodes them. */
  private async mp4Bytes(args: ReturnType<ExportSource['exportArgs']>): Promise<Uint8Array> {
    const { images, note } = await this.app.api.call('exportFrames', { ...args, ...this.timeline() });
    const controller = new AbortController();
    this.encoding = controller;
    if (this.run?.state === 'cancelling') controller.abort();
    const fps = Math.round(this.source.fps);
    const { encodeMp4 } = await import('./mp4-export');
    return encodeMp4(images, {
      scale: Math.round(this.source.scale),
      fps,
      kbps: this.kbps,
      note,
      signal: controller.signal,
      onProgress: (done, total) => this.progress({ stage: 'encode', done, total }),
    });
  }

  async cancel(): Promise<void> {
    const run = this.run;
    if (!run || run.state !== 'running') return;
    this.run = { ...run, state: 'cancelling' };
    if (this.encoding) {
      this.encoding.abort();
      return;
    }
    try {
      await this.app.api.call('exportCancel', {});
    } catch (err) {
      this.app.notify('error', (err as Error).message);
    }
  }
}
