/**
 * What the engine process does for each request of the protocol (src/shared/protocol.ts): holds the
 * open dataset, the current model and its last embeddings; trains, embeds, decodes and exports out
 * of the UI's way. One instance per engine process.
 */
import { readManifest, loadModel, type ModelManifest } from './train/checkpoint';
import { train } from './train/trainer';
import { initBackend } from './backend';
import { limitDataset, type Dataset } from './data/dataset';
import { loadDataset } from './data/load';
import { fitPca, identityProjection, project, projectionFor, type LinearProjection } from './latent/projection';
import { readPointCache, writePointCache, type PointCacheKey } from './latent/point-cache';
import { SnapshotTaker, atlasPage, nearestImages, pointStats } from './explorer';
import { interpolatePath, type PathOptions } from './latent/interpolate';
import { exportAnimation, ExportCancelledError, upscaleNearest, writeFileAtomic, yieldToEventLoop } from './export/index';
import { encodePng } from './export/sprite';
import type { Vae } from './model/vae';
import { MAX_PREVIEW_FRAMES, epochMetricsFromRecord, type DatasetSummary, type Images } from '../shared/contract';
import { engineRequests, type EngineEvent, type EngineModelInfo, type EngineOp, type EngineResults } from '../shared/protocol';

type Emit = (event: EngineEvent) => void;

const EMBED_SLICE = 4000;
/** Latents decoded per backend call for previews and exports. */
const DECODE_BATCH = 256;

type PathArgs = {
  keyframes: Float32Array;
  frames: number;
  mode: 'linear' | 'spherical' | ('linear' | 'spherical')[];
  easing?: 'linear' | 'ease-in' | 'ease-out' | 'ease-in-out';
  loop?: 'none' | 'ping-pong';
  spacing?: 'length' | 'equal';
};

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The manifest as the service sees it. */
export function modelInfo(dir: string, m: ModelManifest): EngineModelInfo {
  const limit = m.dataset?.preprocessing?.limit;
  return {
    dir,
    arch: m.config.arch,
    latentDim: m.config.latentDim,
    likelihood: m.config.likelihood,
    height: m.config.height,
    width: m.config.width,
    channels: m.config.channels,
    epochsCompleted: m.epochsCompleted,
    epochsPlanned: m.training?.epochs ?? null,
    metrics: m.metrics.map((e) => ({
      epoch: e.epoch,
      train_loss: e.train_loss,
      test_loss: e.test_loss,
      recon: e.recon,
      kl: e.kl,
      test_recon: e.test_recon,
      test_kl: e.test_kl,
      ...(typeof e.psnr_db === 'number' ? { psnr_db: e.psnr_db } : {}),
      samples_per_s: e.samples_per_s,
      seconds: e.seconds,
    })),
    datasetName: m.dataset?.name ?? null,
    datasetFingerprint: m.dataset?.fingerprint ?? null,
    training: m.training
      ? {
          epochs: m.training.epochs,
          batchSize: m.training.batchSize,
          lr: m.training.lr,
          beta: m.training.beta,
          binarize: m.training.binarize,
          seed: m.training.seed,
          ...(typeof limit === 'number' ? { limit } : {}),
        }
      : null,
  };
}

function summarize(d: Dataset, skipped: { file: string; reason: string }[]): DatasetSummary {
  return {
    name: d.name,
    source: d.source.kind === 'mnist' ? { kind: 'mnist' } : { kind: 'folder', path: d.source.path },
    count: d.count,
    trainCount: d.split.train.length,
    testCount: d.split.test.length,
    height: d.height,
    width: d.width,
    channels: d.channels,
    labelNames: d.labelNames,
    fingerprint: d.fingerprint,
    skipped,
  };
}

export class EngineWorker {
  private dataset: Dataset | null = null;
  private preprocessing: Record<string, string | number | boolean> | undefined;
  private model: { vae: Vae; info: EngineModelInfo } | null = null;
  private latents: { mu: Float32Array; count: number; d: number; model: Vae } | null = null;
  /** The open model's weights checksum (keys the point cache beside it). */
  private weightsSha256: string | null = null;
  private stats: { recon: Float32Array; kl: Float32Array; model: Vae; fingerprint: string } | null = null;
  private training: AbortController | null = null;
  private exporting: AbortController | null = null;
  private backend: EngineResults['init'] | null = null;

  constructor(private readonly emit: Emit) {}

  async handle(op: EngineOp, raw: unknown): Promise<unknown> {
    const schema = engineRequests[op];
    if (!schema) throw new EngineError('unknown-op', `the engine has no operation "${String(op)}"`);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new EngineError('bad-arguments', `engine ${op}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const args = parsed.data as never;
    switch (op) {
      case 'init':
        return this.init(args);
      case 'openDataset':
        return this.openDataset(args);
      case 'train':
        return this.train(args);
      case 'cancel':
        return this.cancel();
      case 'loadModel':
        return this.loadModel(args);
      case 'embed':
        return this.embed();
      case 'decode':
        return this.decode(args);
      case 'reconstruct':
        return this.reconstruct(args);
      case 'nearest':
        return this.nearest(args);
      case 'pointStats':
        return this.pointStats();
      case 'atlas':
        return atlasPage(this.requireDataset(), (args as { page: number }).page);
      case 'datasetFiles':
        return { files: this.requireDataset().files ?? null };
      case 'fitProjection':
        return this.fitProjection(args);
      case 'interpolate':
        return this.interpolate(args);
      case 'export':
        return this.export(args);
      case 'exportCancel':
        return this.exportCancel();
      case 'exportImage':
        return this.exportImage(args);
    }
  }

  async init(args: { backend?: string }): Promise<EngineResults['init']> {
    if (!this.backend) {
      const info = await initBackend(args.backend);
      this.backend = { backend: info.name, fallbacks: info.fallbacks, pid: process.pid };
    }
    return this.backend;
  }

  async openDataset(source: { kind: 'mnist' } | { kind: 'folder'; path: string; size?: number; color?: 'gray' | 'rgb'; fit?: 'cover' | 'contain' }): Promise<DatasetSummary> {
    if (this.training) throw new EngineError('busy', 'cannot open another dataset while training: cancel the training first');
    const spec = source.kind === 'mnist' ? 'mnist' : source.path;
    const options = source.kind === 'folder' ? { size: source.size, color: source.color, fit: source.fit } : {};
    const loaded = await loadDataset(spec, {
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      onProgress: (p: { done: number; total: number }) => this.emit({ type: 'ingest', done: p.done, total: p.total }),
    } as Parameters<typeof loadDataset>[1]);
    this.dataset = loaded.dataset;
    this.preprocessing = loaded.preprocessing;
    this.latents = null;
    const report = loaded.report as { skipped?: { file: string; reason: string }[] } | undefined;
    return summarize(loaded.dataset, (report?.skipped ?? []).slice(0, 1000).map((s) => ({ file: String(s.file), reason: String(s.reason) })));
  }

  private requireDataset(): Dataset {
    if (!this.dataset) throw new EngineError('no-dataset', 'no dataset is open: open MNIST or an image folder first');
    return this.dataset;
  }

  private requireModel(): { vae: Vae; info: EngineModelInfo } {
    if (!this.model) throw new EngineError('no-model', 'no model is loaded: train one or open a project');
    return this.model;
  }

  private requireFit(): { vae: Vae; info: EngineModelInfo; dataset: Dataset } {
    const model = this.requireModel();
    const dataset = this.requireDataset();
    const c = model.vae.config;
    if (c.height !== dataset.height || c.width !== dataset.width || c.channels !== dataset.channels) {
      throw new EngineError('mismatch', `the model takes ${c.height}×${c.width}×${c.channels} images but the open dataset has ${dataset.height}×${dataset.width}×${dataset.channels}`);
    }
    return { ...model, dataset };
  }

  private setModel(vae: Vae, info: EngineModelInfo): void {
    if (this.model && this.model.vae !== vae) this.model.vae.dispose();
    this.model = { vae, info };
    this.latents = null;
  }

  async train(args: {
    dir: string;
    resume: boolean;
    arch: 'mlp' | 'conv';
    latentDim: number;
    epochs: number;
    batchSize: number;
    lr: number;
    beta: number;
    likelihood: 'bernoulli' | 'gaussian';
    learnedScale?: boolean;
    binarize: boolean;
    seed: number;
    limit?: number;
  }): Promise<EngineResults['train']> {
    if (this.training) throw new EngineError('busy', 'a training is already running');
    const full = this.requireDataset();
    const dataset = limitDataset(full, args.limit);
    const controller = new AbortController();
    this.training = controller;
    let pendingStep: Extract<EngineEvent, { type: 'step' }> | null = null;
    let terms = { recon: 0, kl: 0, n: 0 };
    // Snapshots sample the whole open dataset (the points on screen), not only the training subset.
    const snapshots = new SnapshotTaker(full, (e) => this.emit(e));
    try {
      const result = await train(dataset, {
        arch: args.arch,
        latentDim: args.latentDim,
        epochs: args.epochs,
        batchSize: args.batchSize,
        lr: args.lr,
        beta: args.beta,
        likelihood: args.likelihood,
        learnedScale: args.learnedScale ?? false,
        binarize: args.binarize,
        seed: args.seed,
        outDir: args.dir,
        resume: args.resume,
        signal: controller.signal,
        preprocessing: { ...(this.preprocessing ?? {}), ...(args.limit ? { limit: args.limit } : {}) },
        onStep: async (info) => {
          // The progress event of this step (if any) carries the mean recon and KL since the last one.
          terms.recon += info.recon;
          terms.kl += info.kl;
          terms.n++;
          if (pendingStep) {
            this.emit({ ...pendingStep, recon: terms.recon / terms.n, kl: terms.kl / terms.n });
            pendingStep = null;
            terms = { recon: 0, kl: 0, n: 0 };
          }
          await snapshots.step(info);
        },
        onEvent: (e) => {
          if (e.type === 'step') {
            pendingStep = { type: 'step', epoch: e.epoch, epochs: args.epochs, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, samplesPerSec: e.samples_per_s, etaSeconds: e.eta_s };
          } else if (e.type === 'epoch') {
            this.emit({ type: 'epoch', epochs: args.epochs, ...epochMetricsFromRecord(e) });
          } else {
            this.emit({ type: 'checkpoint', epoch: e.epoch, dir: e.dir });
          }
        },
      });
      // What the app shows is what is on disk: reload the last checkpoint (a cancel mid-epoch leaves
      // the in-memory weights ahead of it).
      result.vae.dispose();
      let model: EngineModelInfo | null = null;
      if (result.epochsCompleted > 0) model = await this.loadModel({ dir: args.dir });
      return { epochsCompleted: result.epochsCompleted, cancelled: result.cancelled, model };
    } finally {
      this.training = null;
    }
  }

  cancel(): EngineResults['cancel'] {
    if (!this.training) return { cancelled: false };
    this.training.abort();
    return { cancelled: true };
  }

  async loadModel(args: { dir: string }): Promise<EngineModelInfo> {
    await readManifest(args.dir);
    const { vae, manifest } = await loadModel(args.dir);
    const info = modelInfo(args.dir, manifest);
    this.setModel(vae, info);
    this.weightsSha256 = manifest.weights.sha256;
    return info;
  }

  async embed(): Promise<EngineResults['embed']> {
    const { vae, info, dataset } = this.requireFit();
    const d = vae.config.latentDim;
    const count = dataset.count;
    // The points stored beside the model when they match its weights and this dataset exactly.
    const key = this.pointCacheKey(vae, dataset);
    const cached = key && this.model ? await readPointCache(this.model.info.dir, key) : null;
    let mu: Float32Array;
    if (cached) {
      mu = cached.mu;
      if (cached.recon && cached.kl) this.stats = { recon: cached.recon, kl: cached.kl, model: vae, fingerprint: dataset.fingerprint };
    } else {
      // In slices, yielding between them, so a cancel or a decode is not stuck behind 70k images.
      mu = new Float32Array(count * d);
      const size = dataset.height * dataset.width * dataset.channels;
      for (let start = 0; start < count; start += EMBED_SLICE) {
        const n = Math.min(EMBED_SLICE, count - start);
        mu.set(vae.embed(dataset.pixels.subarray(start * size, (start + n) * size), n), start * d);
        await new Promise<void>((r) => setImmediate(r));
      }
      if (key && this.model?.vae === vae) void writePointCache(this.model.info.dir, key, { mu, recon: null, kl: null });
    }
    this.latents = { mu, count, d, model: vae };
    const projection: LinearProjection = projectionFor(mu, count, d);
    const view = project(projection, mu, count);
    const ids = new Int32Array(count);
    for (let i = 0; i < count; i++) ids[i] = i;
    return {
      count,
      latentDim: d,
      ids,
      labels: Int32Array.from(dataset.labels),
      labelNames: dataset.labelNames,
      mu,
      view,
      projection: { kind: projection.kind, latentDim: d, mean: projection.mean, axes: projection.axes, explained: projection.explained },
      modelEpoch: info.epochsCompleted,
    };
  }

  private images(pixels: Uint8Array, n: number, vae: Vae): Images {
    const c = vae.config;
    return { count: n, height: c.height, width: c.width, channels: c.channels, pixels };
  }

  decode(args: { z: Float32Array }): Images {
    const { vae } = this.requireModel();
    const d = vae.config.latentDim;
    if (args.z.length === 0 || args.z.length % d !== 0) {
      throw new EngineError('bad-arguments', `decode: z must hold n × ${d} numbers (the model's latent size), got ${args.z.length}`);
    }
    const n = args.z.length / d;
    if (n > 4096) throw new EngineError('bad-arguments', `decode: at most 4096 latent vectors at once, got ${n}`);
    for (let i = 0; i < args.z.length; i++) if (!Number.isFinite(args.z[i])) throw new EngineError('bad-arguments', `decode: z[${i}] is not a finite number`);
    return this.images(vae.decodeToPixels(args.z, n), n, vae);
  }

  reconstruct(args: { index: number }): EngineResults['reconstruct'] {
    const { vae, dataset } = this.requireFit();
    if (args.index >= dataset.count) throw new EngineError('bad-arguments', `reconstruct: index ${args.index} is out of range (the dataset has ${dataset.count} images)`);
    const size = dataset.height * dataset.width * dataset.channels;
    const original = dataset.pixels.slice(args.index * size, (args.index + 1) * size);
    const mu = vae.embed(original, 1);
    return {
      index: args.index,
      label: dataset.labels[args.index],
      original: this.images(original, 1, vae),
      reconstruction: this.images(vae.decodeToPixels(mu, 1), 1, vae),
      mu,
    };
  }

  async nearest(args: { z: Float32Array; k: number; space?: 'latent' | 'pixel'; among?: 'all' | 'train' }): Promise<EngineResults['nearest']> {
    const { vae, dataset } = this.requireFit();
    const d = vae.config.latentDim;
    if (args.z.length !== d) throw new EngineError('bad-arguments', `nearest: z must hold ${d} numbers (the model's latent size), got ${args.z.length}`);
    for (let i = 0; i < d; i++) if (!Number.isFinite(args.z[i])) throw new EngineError('bad-arguments', `nearest: z[${i}] is not a finite number`);
    if (!this.latents || this.latents.model !== vae) await this.embed();
    return nearestImages({ z: args.z, k: args.k, space: args.space ?? 'latent', among: args.among ?? 'all' }, vae, dataset, this.latents!.mu);
  }

  private pointCacheKey(vae: Vae, dataset: Dataset): PointCacheKey | null {
    if (!this.weightsSha256) return null;
    return { weightsSha256: this.weightsSha256, fingerprint: dataset.fingerprint, count: dataset.count, latentDim: vae.config.latentDim };
  }

  /** Reconstruction error and KL of every image, computed once per (model, dataset) and cached beside the model. */
  async pointStats(): Promise<EngineResults['pointStats']> {
    const { vae, info, dataset } = this.requireFit();
    if (!this.latents || this.latents.model !== vae) await this.embed();
    const cached = this.stats;
    if (cached && cached.model === vae && cached.fingerprint === dataset.fingerprint) return { count: dataset.count, modelEpoch: info.epochsCompleted, recon: cached.recon, kl: cached.kl };
    const { recon, kl } = await pointStats(vae, dataset);
    if (this.model?.vae !== vae) throw new EngineError('stale', 'the model changed while its points were measured');
    this.stats = { recon, kl, model: vae, fingerprint: dataset.fingerprint };
    const key = this.pointCacheKey(vae, dataset);
    if (key && this.latents?.model === vae) void writePointCache(info.dir, key, { mu: this.latents.mu, recon, kl });
    return { count: dataset.count, modelEpoch: info.epochsCompleted, recon, kl };
  }

  /** The identity or PCA projection of the current embeddings. */
  async fitProjection(args: { kind: 'identity' | 'pca' }): Promise<EngineResults['fitProjection']> {
    const { vae } = this.requireFit();
    if (!this.latents || this.latents.model !== vae) await this.embed();
    const { mu, count, d } = this.latents!;
    if (args.kind === 'identity' && d > 3) throw new EngineError('bad-arguments', `the identity view needs a latent size of at most 3, this model has ${d}: use PCA or UMAP`);
    const p = args.kind === 'identity' ? identityProjection(d) : fitPca(mu, count, d);
    return { kind: p.kind, latentDim: d, mean: p.mean, axes: p.axes, explained: p.explained };
  }

  /** Splits k × d keyframes into k vectors, checking their size against the model. */
  private keyframesOf(flat: Float32Array, d: number, op: string): Float32Array[] {
    if (flat.length < 2 * d || flat.length % d !== 0) {
      throw new EngineError('bad-arguments', `${op}: keyframes must hold k × ${d} numbers with k ≥ 2 (the model's latent size is ${d}), got ${flat.length}`);
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
      throw new EngineError('bad-arguments', `${op}: ${(err as Error).message}`);
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
      pixels.set(vae.decodeToPixels(latents.subarray(from * d, (from + count) * d), count), from * frameSize);
      onBatch?.(from + count);
      if (from + count < n) await yieldToEventLoop();
    }
    return pixels;
  }

  async interpolate(args: PathArgs & { decode: boolean }): Promise<EngineResults['interpolate']> {
    const { vae } = this.requireModel();
    const d = vae.config.latentDim;
    const z = this.path('interpolate', d, args);
    if (!args.decode) return { z, frames: args.frames, latentDim: d, images: null };
    if (args.frames > MAX_PREVIEW_FRAMES) throw new EngineError('bad-arguments', `interpolate: at most ${MAX_PREVIEW_FRAMES} frames are decoded for a preview, got ${args.frames}`);
    const pixels = await this.decodeBatched(vae, z, args.frames);
    return { z, frames: args.frames, latentDim: d, images: this.images(pixels, args.frames, vae) };
  }

  async export(args: PathArgs & { path: string; fps: number; scale: number }): Promise<EngineResults['export']> {
    const { vae } = this.requireModel();
    if (this.exporting) throw new EngineError('busy', 'an export is already running: wait for it or cancel it');
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
      if (err instanceof ExportCancelledError || controller.signal.aborted) throw new EngineError('cancelled', 'the export was cancelled: nothing was written');
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

  async exportImage(args: { path: string; z: Float32Array; scale: number }): Promise<EngineResults['exportImage']> {
    const image = this.decode({ z: args.z });
    if (image.count !== 1) throw new EngineError('bad-arguments', `exportImage: z must be one latent vector, got ${image.count}`);
    const { width, height, channels, pixels } = image;
    const png = await encodePng(upscaleNearest(pixels, width, height, channels, args.scale), width * args.scale, height * args.scale, channels);
    await writeFileAtomic(args.path, png);
    return { path: args.path, bytes: png.byteLength };
  }
}
