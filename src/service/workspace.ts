/**
 * What is open: the dataset, the model, and the embeddings of that model on that dataset. The
 * embeddings are computed once per (model, dataset) — a version number changes whenever either does,
 * so a late answer for an old pair is dropped — and kept, so asking for them again is immediate.
 */
import { ContractError, DEFAULT_BACKGROUND, epochMetricsFromRecord, type DatasetSource, type DatasetSummary, type ModelSummary } from '../shared/contract';
import type { EngineModelInfo, EngineResults } from '../shared/engine-protocol';
import type { AllowedPaths } from './allowed-paths';
import type { EngineSupervisor } from './engine-supervisor';
import type { ServiceEvents } from './events';
import { plural } from '../shared/plural';

export type Embeddings = EngineResults['embed'];

export class Workspace {
  private source: DatasetSource | null = null;
  private summary: DatasetSummary | null = null;
  private info: EngineModelInfo | null = null;
  private modelIsDefault = false;

  private version = 0;
  private cache: { version: number; value: Embeddings } | null = null;
  private pending: { version: number; promise: Promise<Embeddings> } | null = null;
  private statsCache: { version: number; promise: Promise<EngineResults['pointStats']> } | null = null;

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly events: ServiceEvents,
    private readonly paths: AllowedPaths,
    /** Why another dataset cannot be opened now (a training runs), or null. */
    private readonly busyReason: () => string | null,
  ) {}

  get datasetSource(): DatasetSource | null {
    return this.source;
  }

  get dataset(): DatasetSummary | null {
    return this.summary;
  }

  get model(): EngineModelInfo | null {
    return this.info;
  }

  get isDefaultModel(): boolean {
    return this.modelIsDefault;
  }

  // -------------------------------------------------------------------------------------------
  // Dataset and model

  async openDataset(source: DatasetSource, options: { embed?: boolean } = {}): Promise<DatasetSummary> {
    const busy = this.busyReason();
    if (busy) throw new ContractError('busy', busy);
    let checked = source;
    // The background is filled in here, so that a saved project records the one its pixels have.
    if (source.kind === 'folder')
      checked = { ...source, path: await this.paths.check(source.path, 'the image folder'), background: source.background ?? DEFAULT_BACKGROUND };
    const summary = await this.engine.request('openDataset', checked);
    this.source = checked;
    this.summary = summary;
    this.invalidate();
    this.events.emit('datasetChanged', summary);
    if (this.info) this.events.emit('modelChanged', this.modelSummary());
    if (summary.skipped.length)
      this.events.notice(
        'warning',
        `${plural(summary.skipped.length, 'file')} could not be read (first: ${summary.skipped[0].file}: ${summary.skipped[0].reason})`,
      );
    if (options.embed ?? true) this.scheduleEmbeddings();
    return summary;
  }

  /** The engine was restarted: open the same dataset in it again. */
  async reopenDataset(): Promise<DatasetSummary | null> {
    if (!this.source) return null;
    this.summary = await this.engine.request('openDataset', this.source);
    return this.summary;
  }

  /** Forgets the dataset (a project's image folder is missing). */
  closeDataset(): void {
    this.source = null;
    this.summary = null;
    this.invalidate();
    this.events.emit('datasetChanged', null);
  }

  setModel(info: EngineModelInfo, isDefault: boolean): void {
    this.info = info;
    this.modelIsDefault = isDefault;
    this.invalidate();
    this.events.emit('modelChanged', this.modelSummary());
  }

  modelSummary(): ModelSummary | null {
    const m = this.info;
    if (!m) return null;
    const d = this.summary;
    return {
      dir: m.dir,
      arch: m.arch,
      latentDim: m.latentDim,
      likelihood: m.likelihood,
      height: m.height,
      width: m.width,
      channels: m.channels,
      epochsCompleted: m.epochsCompleted,
      epochsPlanned: m.epochsPlanned,
      metrics: m.metrics.map(epochMetricsFromRecord),
      datasetName: m.datasetName,
      datasetFingerprint: m.datasetFingerprint,
      ...(m.sampleQuality ? { sampleQuality: m.sampleQuality } : {}),
      fitsDataset: Boolean(d && d.height === m.height && d.width === m.width && d.channels === m.channels),
      isDefault: this.modelIsDefault,
      ...(m.latentDensity ? { latentDensity: m.latentDensity } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Embeddings

  /** The dataset or the model changed: what was computed for the old pair is stale. */
  invalidate(): void {
    this.version++;
    this.cache = null;
  }

  get embeddingsReady(): boolean {
    return this.cache?.version === this.version;
  }

  /** The embeddings of the open pair when they are already known (no engine call). */
  cachedEmbeddings(): Embeddings | null {
    return this.cache?.version === this.version ? this.cache.value : null;
  }

  /** The current (model, dataset) pair's version: compare before adopting something computed for it. */
  get embeddingsVersion(): number {
    return this.version;
  }

  /** Takes embeddings read from elsewhere (a saved project) for the pair of `version`, if still current. */
  adoptEmbeddings(version: number, value: Embeddings): boolean {
    if (version !== this.version) return false;
    this.cache = { version, value };
    this.events.emit('embeddingsReady', { count: value.count, modelEpoch: value.modelEpoch });
    return true;
  }

  async embeddings(): Promise<Embeddings> {
    const version = this.version;
    if (this.cache?.version === version) return this.cache.value;
    if (this.pending?.version === version) return this.pending.promise;
    if (!this.info) throw new ContractError('no-model', 'no model yet: train one or open a project');
    if (!this.summary) throw new ContractError('no-dataset', 'no dataset is open');
    const promise = this.engine.request('embed', {}).then((value) => {
      if (this.version === version) {
        this.cache = { version, value };
        this.events.emit('embeddingsReady', { count: value.count, modelEpoch: value.modelEpoch });
      }
      return value;
    });
    this.pending = { version, promise };
    promise
      .finally(() => {
        if (this.pending?.promise === promise) this.pending = null;
      })
      .catch(() => {});
    return promise;
  }

  /** Computes the embeddings ahead of the renderer asking, when a model and a fitting dataset are open. */
  scheduleEmbeddings(): void {
    const m = this.modelSummary();
    if (!m || !m.fitsDataset) return;
    this.embeddings().catch((err: Error) => {
      if (!this.engine.isStopping) this.events.notice('warning', `embedding the dataset failed: ${err.message}`);
    });
  }

  /** Per-point reconstruction error and KL of the current embeddings (once per model and dataset). */
  async pointStats(): Promise<EngineResults['pointStats']> {
    const version = this.version;
    if (this.statsCache?.version === version) return this.statsCache.promise;
    await this.embeddings();
    const promise = this.engine.request('pointStats', {});
    this.statsCache = { version, promise };
    promise.catch(() => {
      if (this.statsCache?.promise === promise) this.statsCache = null;
    });
    return promise;
  }
}
