/**
 * What is open: the dataset, the model, and the embeddings of that model on that dataset. Every
 * opening of either mints a new generation (shared/generation.ts): what the renderer gets for the open
 * pair is stamped with it, and an answer computed for an older one is dropped (`current`). The
 * embeddings are computed once per generation and kept, so asking for them again is immediate.
 */
import {
  ContractError,
  DEFAULT_BACKGROUND,
  epochMetricsFromRecord,
  GenerationGate,
  type DatasetSource,
  type DatasetSummary,
  type Generation,
  type ModelSummary,
  type Stamped,
} from '../shared/contract';
import type { EngineModelInfo, EngineResults } from '../shared/engine-protocol';
import type { AllowedPaths } from './allowed-paths';
import type { EngineSupervisor } from './engine-supervisor';
import type { ServiceEvents } from './events';
import { plural } from '../shared/plural';

export type Embeddings = EngineResults['embed'];

/** Why the generation changed: the user opened something, or the engine restarted (the same pair is reloaded). */
export type OpenReason = 'opened' | 'restarted';

export class Workspace {
  private source: DatasetSource | null = null;
  private summary: DatasetSummary | null = null;
  private info: EngineModelInfo | null = null;
  private modelIsDefault = false;

  private readonly generations = new GenerationGate();
  private readonly openListeners: ((reason: OpenReason) => void)[] = [];
  private cache: { generation: Generation; value: Embeddings } | null = null;
  private pending: { generation: Generation; promise: Promise<Embeddings> } | null = null;
  private statsCache: { generation: Generation; promise: Promise<EngineResults['pointStats']> } | null = null;

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

  setModel(info: EngineModelInfo, isDefault: boolean, reason: OpenReason = 'opened'): void {
    this.info = info;
    this.modelIsDefault = isDefault;
    this.invalidate(reason);
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

  /** The dataset or the model changed: a new generation, and what was computed for the old one is stale. */
  invalidate(reason: OpenReason = 'opened'): void {
    const generation = this.generations.next();
    this.cache = null;
    this.events.emit('generationChanged', { generation });
    for (const listener of this.openListeners) listener(reason);
  }

  /** Calls `listener` after every new generation (before the dataset and model events go out). */
  onOpen(listener: (reason: OpenReason) => void): void {
    this.openListeners.push(listener);
  }

  /** The generation of what is open now. */
  get generation(): Generation {
    return this.generations.current;
  }

  /**
   * The one place the service drops what was computed for an older generation: runs `work` for the
   * open pair and stamps its result with the pair's generation, or refuses it ('stale') when another
   * dataset or model opened meanwhile.
   */
  async current<T extends object>(work: () => Promise<T>): Promise<Stamped<T>> {
    const generation = this.generations.current;
    const value = await work();
    if (!this.generations.isCurrent(generation)) throw new ContractError('stale', 'another dataset or model was opened meanwhile: ask again');
    return { ...value, generation };
  }

  get embeddingsReady(): boolean {
    return this.cache !== null && this.generations.isCurrent(this.cache.generation);
  }

  /** The embeddings of the open pair when they are already known (no engine call). */
  cachedEmbeddings(): Embeddings | null {
    return this.cache && this.generations.isCurrent(this.cache.generation) ? this.cache.value : null;
  }

  /** Takes embeddings read from elsewhere (a saved project) for `generation`, if still current. */
  adoptEmbeddings(generation: Generation, value: Embeddings): boolean {
    if (!this.generations.isCurrent(generation)) return false;
    this.cache = { generation, value };
    this.events.emit('embeddingsReady', { count: value.count, modelEpoch: value.modelEpoch, generation });
    return true;
  }

  async embeddings(): Promise<Embeddings> {
    const generation = this.generations.current;
    if (this.cache?.generation === generation) return this.cache.value;
    if (this.pending?.generation === generation) return this.pending.promise;
    if (!this.info) throw new ContractError('no-model', 'no model yet: train one or open a project');
    if (!this.summary) throw new ContractError('no-dataset', 'no dataset is open');
    const promise = this.engine.request('embed', {}).then((value) => {
      if (this.generations.isCurrent(generation)) {
        this.cache = { generation, value };
        this.events.emit('embeddingsReady', { count: value.count, modelEpoch: value.modelEpoch, generation });
      }
      return value;
    });
    this.pending = { generation, promise };
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
    const generation = this.generations.current;
    if (this.statsCache?.generation === generation) return this.statsCache.promise;
    await this.embeddings();
    const promise = this.engine.request('pointStats', {});
    this.statsCache = { generation, promise };
    promise.catch(() => {
      if (this.statsCache?.promise === promise) this.statsCache = null;
    });
    return promise;
  }
}
