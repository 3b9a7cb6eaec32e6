/**
 * What one engine process holds — the open dataset, the current model, its last embeddings and
 * point statistics, the running training — and the operations on them. The handler table
 * (handlers.ts) maps each protocol operation to one of these methods; paths and exports are in
 * latent-paths.ts.
 */
import { readManifest, loadModel } from './train/checkpoint';
import { train } from './train/trainer';
import { SnapshotTaker } from './train/snapshots';
import { initBackend } from './backend';
import { limitDataset, subsetDataset, type Dataset } from './data/dataset';
import { loadDataset } from './data/load';
import { atlasPage } from './data/atlas';
import { fitPca, identityProjection, project, projectionFor, type LinearProjection } from './latent/projection';
import { readPointCache, writePointCache, type PointCacheKey } from './latent/point-cache';
import { nearestImages } from './latent/nearest';
import { decodeImageFile, encodePixels, encodeSettings } from './latent/encode-image';
import type { DatasetInfo } from './train/checkpoint';
import { pointStats } from './latent/point-stats';
import { measureModelQuality } from './quality/model-quality';
import { datasetSummary, modelInfo } from './model-info';
import type { Vae } from './model/vae';
import { yieldToEventLoop } from '../node/event-loop';
import { epochMetricsFromRecord, type Atlas, type DatasetSummary, type Images } from '../shared/contract';
import { EngineCallError, type EngineEvent, type EngineModelInfo, type EngineParsedArgs, type EngineResults } from '../shared/engine-protocol';

export type Emit = (event: EngineEvent) => void;

const EMBED_SLICE = 4000;

export class EngineSession {
  private dataset: Dataset | null = null;
  private preprocessing: Record<string, string | number | boolean> | undefined;
  private model: { vae: Vae; info: EngineModelInfo } | null = null;
  /** What the open model was trained on, as its manifest records it (its preprocessing encodes dropped images). */
  private modelDataset: DatasetInfo | null = null;
  private latents: { mu: Float32Array; count: number; d: number; model: Vae } | null = null;
  /** The open model's weights checksum (keys the point cache beside it). */
  private weightsSha256: string | null = null;
  private stats: { recon: Float32Array; kl: Float32Array; rmse: Float32Array; model: Vae; fingerprint: string } | null = null;
  private training: AbortController | null = null;
  private backend: EngineResults['init'] | null = null;

  constructor(private readonly emit: Emit) {}

  async init(args: EngineParsedArgs<'init'>): Promise<EngineResults['init']> {
    if (!this.backend) {
      const info = await initBackend(args.backend);
      this.backend = {
        backend: info.name,
        fallbacks: info.fallbacks,
        ...(info.adapter ? { adapter: info.adapter } : {}),
        ...(info.noGpu ? { noGpu: info.noGpu } : {}),
        pid: process.pid,
      };
    }
    return this.backend;
  }

  async openDataset(source: EngineParsedArgs<'openDataset'>): Promise<DatasetSummary> {
    if (this.training) throw new EngineCallError('busy', 'cannot open another dataset while training: cancel the training first');
    const spec = source.kind === 'mnist' ? 'mnist' : source.path;
    const options = source.kind === 'folder' ? { size: source.size, color: source.color, fit: source.fit, background: source.background } : {};
    const loaded = await loadDataset(spec, {
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      onProgress: (p: { done: number; total: number }) => this.emit({ type: 'ingest', done: p.done, total: p.total }),
    } as Parameters<typeof loadDataset>[1]);
    this.dataset = loaded.dataset;
    this.preprocessing = loaded.preprocessing;
    this.latents = null;
    const report = loaded.report as { skipped?: { file: string; reason: string }[] } | undefined;
    // The cache is written behind the answer; a full disk is said when the write gives up.
    void loaded.cacheWrite?.then((warning) => warning && this.emit({ type: 'log', message: warning }));
    return datasetSummary(
      loaded.dataset,
      (report?.skipped ?? []).slice(0, 1000).map((s) => ({ file: String(s.file), reason: String(s.reason) })),
    );
  }

  requireDataset(): Dataset {
    if (!this.dataset) throw new EngineCallError('no-dataset', 'no dataset is open: open MNIST or an image folder first');
    return this.dataset;
  }

  requireModel(): { vae: Vae; info: EngineModelInfo } {
    if (!this.model) throw new EngineCallError('no-model', 'no model is loaded: train one or open a project');
    return this.model;
  }

  requireFit(): { vae: Vae; info: EngineModelInfo; dataset: Dataset } {
    const model = this.requireModel();
    const dataset = this.requireDataset();
    const c = model.vae.config;
    if (c.height !== dataset.height || c.width !== dataset.width || c.channels !== dataset.channels) {
      throw new EngineCallError(
        'mismatch',
        `the model takes ${c.height}×${c.width}×${c.channels} images but the open dataset has ${dataset.height}×${dataset.width}×${dataset.channels}`,
      );
    }
    return { ...model, dataset };
  }

  private setModel(vae: Vae, info: EngineModelInfo): void {
    if (this.model && this.model.vae !== vae) this.model.vae.dispose();
    this.model = { vae, info };
    this.latents = null;
  }

  async train(args: EngineParsedArgs<'train'>): Promise<EngineResults['train']> {
    if (this.training) throw new EngineCallError('busy', 'a training is already running');
    const full = this.requireDataset();
    const dataset = args.subset ? subsetDataset(full, args.subset) : limitDataset(full, args.limit);
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
        ...(args.lrSchedule ? { lrSchedule: args.lrSchedule } : {}),
        beta: args.beta,
        likelihood: args.likelihood,
        learnedScale: args.learnedScale ?? false,
        binarize: args.binarize,
        seed: args.seed,
        outDir: args.dir,
        resume: args.resume,
        ...(args.timeBudget ? { timeBudget: args.timeBudget } : {}),
        ...(args.decoderUpsample ? { decoderUpsample: args.decoderUpsample } : {}),
        ...(args.residualBlocks !== undefined ? { residualBlocks: args.residualBlocks } : {}),
        ...(args.klWarmup ? { klWarmup: args.klWarmup } : {}),
        ...(args.freeBits ? { freeBits: args.freeBits } : {}),
        signal: controller.signal,
        preprocessing: {
          ...(this.preprocessing ?? {}),
          ...(args.limit ? { limit: args.limit } : {}),
          ...(args.subset ? { subset: dataset.split.train.length } : {}),
        },
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
            pendingStep = {
              type: 'step',
              epoch: e.epoch,
              epochs: args.epochs,
              step: e.step,
              stepsPerEpoch: e.stepsPerEpoch,
              loss: e.loss,
              samplesPerSec: e.samples_per_s,
              etaSeconds: e.eta_s,
            };
          } else if (e.type === 'epoch') {
            this.emit({ type: 'epoch', epochs: args.epochs, ...epochMetricsFromRecord(e) });
          } else {
            this.emit({ type: 'checkpoint', epoch: e.epoch, dir: e.dir });
          }
        },
      });
      const { diverged } = result;
      // A finished run's weights are its last checkpoint's: measure their sample distance before letting go.
      if (result.epochsCompleted > 0 && !result.cancelled && !diverged) await this.measureQuality(args.dir, result.vae, dataset, controller.signal);
      // What the app shows is what is on disk: reload the last checkpoint (a cancel mid-epoch leaves
      // the in-memory weights ahead of it).
      result.vae.dispose();
      // A diverged run is not opened: the model open before stays the open one.
      let model: EngineModelInfo | null = null;
      if (result.epochsCompleted > 0 && !diverged) model = await this.loadModel({ dir: args.dir });
      return {
        epochsCompleted: result.epochsCompleted,
        cancelled: result.cancelled,
        budgetReached: result.budgetReached,
        model,
        ...(diverged ? { diverged: { epoch: diverged.epoch, message: diverged.message } } : {}),
      };
    } finally {
      this.training = null;
    }
  }

  /**
   * The sample distance of a run's model, recorded in its manifest. A cancel here skips it and keeps
   * the trained model; a failure costs the figure only (`latentscape eval --record` measures it later).
   */
  private async measureQuality(dir: string, vae: Vae, dataset: Dataset, signal: AbortSignal): Promise<void> {
    let shown = '';
    try {
      await measureModelQuality(dir, vae, dataset, {
        signal,
        onProgress: (p) => {
          // One event per whole percent of a stage: the feature net's training has a step per batch.
          const key = `${p.stage}:${Math.floor((100 * p.done) / p.total)}`;
          if (key !== shown) this.emit({ type: 'quality', ...p });
          shown = key;
        },
      });
    } catch (err) {
      const cancelled = (err as Error)?.name === 'AbortError';
      this.emit({
        type: 'log',
        message: cancelled
          ? 'the sample distance was not measured (cancelled); the trained model is kept'
          : `the sample distance could not be measured: ${(err as Error).message}`,
      });
    }
  }

  cancel(): EngineResults['cancel'] {
    if (!this.training) return { cancelled: false };
    this.training.abort();
    return { cancelled: true };
  }

  async loadModel(args: EngineParsedArgs<'loadModel'>): Promise<EngineModelInfo> {
    await readManifest(args.dir);
    const { vae, manifest } = await loadModel(args.dir);
    const info = modelInfo(args.dir, manifest, { density: true });
    this.setModel(vae, info);
    this.modelDataset = manifest.dataset ?? null;
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
      if (cached.recon && cached.kl && cached.rmse)
        this.stats = { recon: cached.recon, kl: cached.kl, rmse: cached.rmse, model: vae, fingerprint: dataset.fingerprint };
    } else {
      // In slices, yielding between them, so a cancel or a decode is not stuck behind 70k images.
      mu = new Float32Array(count * d);
      const size = dataset.height * dataset.width * dataset.channels;
      for (let start = 0; start < count; start += EMBED_SLICE) {
        const n = Math.min(EMBED_SLICE, count - start);
        mu.set(await vae.embed(dataset.pixels.subarray(start * size, (start + n) * size), n), start * d);
        await yieldToEventLoop();
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

  images(pixels: Uint8Array, n: number, vae: Vae): Images {
    const c = vae.config;
    return { count: n, height: c.height, width: c.width, channels: c.channels, pixels };
  }

  async decode(args: EngineParsedArgs<'decode'>): Promise<Images> {
    const { vae } = this.requireModel();
    const d = vae.config.latentDim;
    if (args.z.length === 0 || args.z.length % d !== 0) {
      throw new EngineCallError('bad-arguments', `decode: z must hold n × ${d} numbers (the model's latent size), got ${args.z.length}`);
    }
    const n = args.z.length / d;
    if (n > 4096) throw new EngineCallError('bad-arguments', `decode: at most 4096 latent vectors at once, got ${n}`);
    for (let i = 0; i < args.z.length; i++)
      if (!Number.isFinite(args.z[i])) throw new EngineCallError('bad-arguments', `decode: z[${i}] is not a finite number`);
    return this.images(await vae.decodeToPixels(args.z, n), n, vae);
  }

  async reconstruct(args: EngineParsedArgs<'reconstruct'>): Promise<EngineResults['reconstruct']> {
    const { vae, dataset } = this.requireFit();
    if (args.index >= dataset.count)
      throw new EngineCallError('bad-arguments', `reconstruct: index ${args.index} is out of range (the dataset has ${dataset.count} images)`);
    const size = dataset.height * dataset.width * dataset.channels;
    const original = dataset.pixels.slice(args.index * size, (args.index + 1) * size);
    const mu = await vae.embed(original, 1);
    return {
      index: args.index,
      label: dataset.labels[args.index],
      original: this.images(original, 1, vae),
      reconstruction: this.images(await vae.decodeToPixels(mu, 1), 1, vae),
      mu,
    };
  }

  async nearest(args: EngineParsedArgs<'nearest'>): Promise<EngineResults['nearest']> {
    const { vae, dataset } = this.requireFit();
    const d = vae.config.latentDim;
    if (args.z.length !== d) throw new EngineCallError('bad-arguments', `nearest: z must hold ${d} numbers (the model's latent size), got ${args.z.length}`);
    for (let i = 0; i < d; i++) if (!Number.isFinite(args.z[i])) throw new EngineCallError('bad-arguments', `nearest: z[${i}] is not a finite number`);
    if (!this.latents || this.latents.model !== vae) await this.embed();
    return await nearestImages({ z: args.z, k: args.k, space: args.space ?? 'latent', among: args.among ?? 'all' }, vae, dataset, this.latents!.mu);
  }

  private pointCacheKey(vae: Vae, dataset: Dataset): PointCacheKey | null {
    if (!this.weightsSha256) return null;
    return { weightsSha256: this.weightsSha256, fingerprint: dataset.fingerprint, count: dataset.count, latentDim: vae.config.latentDim };
  }

  /** An image file through the open model (latent/encode-image.ts) and its nearest training images. */
  async encodeImage(args: EngineParsedArgs<'encodeImage'>): Promise<EngineResults['encodeImage']> {
    const { vae, dataset } = this.requireFit();
    const pixels = await decodeImageFile(args.name, args.bytes, encodeSettings(vae.config, this.modelDataset));
    if (!this.latents || this.latents.model !== vae) await this.embed();
    if (this.model?.vae !== vae || this.dataset !== dataset || this.latents?.model !== vae) {
      throw new EngineCallError('stale', 'the model or dataset changed while the image was encoded: bring it in again');
    }
    const encoded = await encodePixels(vae, pixels);
    const nearest = await nearestImages({ z: encoded.mu, k: args.k, space: 'latent', among: 'train' }, vae, dataset, this.latents.mu);
    const { reconstruction, ...figures } = encoded;
    return { name: args.name, ...figures, input: this.images(pixels, 1, vae), reconstruction: this.images(reconstruction, 1, vae), nearest };
  }

  /** Reconstruction error and KL of every image, computed once per (model, dataset) and cached beside the model. */
  async pointStats(): Promise<EngineResults['pointStats']> {
    const { vae, info, dataset } = this.requireFit();
    if (!this.latents || this.latents.model !== vae) await this.embed();
    const cached = this.stats;
    if (cached && cached.model === vae && cached.fingerprint === dataset.fingerprint)
      return { count: dataset.count, modelEpoch: info.epochsCompleted, recon: cached.recon, kl: cached.kl, rmse: cached.rmse };
    const { recon, kl, rmse } = await pointStats(vae, dataset);
    if (this.model?.vae !== vae) throw new EngineCallError('stale', 'the model changed while its points were measured');
    this.stats = { recon, kl, rmse, model: vae, fingerprint: dataset.fingerprint };
    const key = this.pointCacheKey(vae, dataset);
    if (key && this.latents?.model === vae) void writePointCache(info.dir, key, { mu: this.latents.mu, recon, kl, rmse });
    return { count: dataset.count, modelEpoch: info.epochsCompleted, recon, kl, rmse };
  }

  /** The identity or PCA projection of the current embeddings. */
  async fitProjection(args: EngineParsedArgs<'fitProjection'>): Promise<EngineResults['fitProjection']> {
    const { vae } = this.requireFit();
    if (!this.latents || this.latents.model !== vae) await this.embed();
    const { mu, count, d } = this.latents!;
    if (args.kind === 'identity' && d > 3)
      throw new EngineCallError('bad-arguments', `the identity view needs a latent size of at most 3, this model has ${d}: use PCA or UMAP`);
    const p = args.kind === 'identity' ? identityProjection(d) : fitPca(mu, count, d);
    return { kind: p.kind, latentDim: d, mean: p.mean, axes: p.axes, explained: p.explained };
  }

  /** Each image's file relative to the folder, by dataset index (null: MNIST has no files). */
  datasetFiles(): EngineResults['datasetFiles'] {
    return { files: this.requireDataset().files ?? null };
  }

  /** A page of the dataset's thumbnails. */
  atlas(args: EngineParsedArgs<'atlas'>): Atlas {
    return atlasPage(this.requireDataset(), args.page);
  }
}
