/**
 * The user's own metadata in the explorer: the imported columns (joined to the dataset by the
 * service), the column the points are coloured by, and the histogram filters. The view hides the
 * points the filters leave out; the search box understands `column:value` (metadata-view.ts).
 * Kept with the project (project.svelte.ts saves `source()` and re-imports it when the project opens).
 */
import type { MetadataColumn, MetadataImport, PointStats, ProjectMetadata } from '../../../shared/contract';
import type { Session } from '../../shell/session';
import type { LatentViewState } from '../latent-view.svelte';
import { builtInColumns, columnColors, filterMask, histogram, type ColumnFilter, type Filters, type Histogram } from './metadata-view';

export class MetadataState {
  imported = $state.raw<MetadataImport | null>(null);
  /** The file it came from (re-imported when a project reopens). */
  path = $state<string | null>(null);
  importing = $state(false);
  error = $state<string | null>(null);
  colorColumn = $state<string | null>(null);
  filters = $state.raw<Filters>({});

  constructor(
    private readonly app: Pick<Session, 'api' | 'notify'>,
    private readonly view: Pick<LatentViewState, 'layout'>,
    /** The points' measured reconstruction error and KL (null: not loaded). */
    private readonly stats: () => PointStats | null = () => null,
  ) {}

  /** The layout's label and, once measured, its reconstruction error and KL: filterable without an import. */
  readonly builtIn: MetadataColumn[] = $derived.by(() => {
    const l = this.view.layout;
    if (!l) return [];
    const stats = this.stats();
    const measured = stats && l.source === 'embeddings' && stats.count === l.count ? stats : null;
    return builtInColumns({ ids: l.ids, labels: l.labels, labelNames: l.labelNames, rmse: measured?.rmse ?? null, kl: measured?.kl ?? null });
  });

  /** The built-in columns, then the imported ones (an imported column of the same name wins). */
  readonly columns: MetadataColumn[] = $derived.by(() => {
    const imported = this.imported?.columns ?? [];
    return [...this.builtIn.filter((b) => !imported.some((c) => c.name === b.name)), ...imported];
  });

  /** Points of the current layout that pass every filter (1), or null: no filter. */
  readonly mask: Uint8Array | null = $derived.by(() => {
    const l = this.view.layout;
    return l ? filterMask(this.columns, this.filters, l.ids) : null;
  });

  /** How many points the filters keep (null: no filter). */
  readonly kept: number | null = $derived(this.mask ? this.mask.reduce((n, v) => n + v, 0) : null);

  /** The layout's colours by the chosen column, or null (the view's own colouring applies). */
  readonly colors: Float32Array | null = $derived.by(() => {
    const l = this.view.layout;
    const column = this.columns.find((c) => c.name === this.colorColumn);
    return l && column && column.kind !== 'text' ? columnColors(column, l.ids) : null;
  });

  /** A column's bars, counted over the points the other columns' filters keep. */
  histogramOf(name: string): Histogram | null {
    const l = this.view.layout;
    const column = this.columns.find((c) => c.name === name);
    if (!l || !column) return null;
    return histogram(column, l.ids, filterMask(this.columns, this.filters, l.ids, name));
  }

  async import(path: string): Promise<boolean> {
    this.importing = true;
    this.error = null;
    try {
      const imported = await this.app.api.call('metadataImport', { path });
      this.imported = imported;
      this.path = path;
      this.filters = {};
      this.colorColumn = null;
      const unmatched = imported.unmatchedRows ? `; ${imported.unmatchedRows.toLocaleString('en-US')} named no image` : '';
      this.app.notify(
        'info',
        `${imported.source}: ${imported.matchedRows.toLocaleString('en-US')} of ${imported.rows.toLocaleString('en-US')} rows joined by “${imported.keyColumn}”${unmatched}`,
      );
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.importing = false;
    }
  }

  /** What the project keeps (undefined: nothing imported). */
  viewPart(): ProjectMetadata | undefined {
    return this.imported && this.path ? { path: this.path, colorColumn: this.colorColumn, filters: { ...this.filters } } : undefined;
  }

  /** An opened project's metadata: imported again from the project's copy, with its colouring and filters. */
  async restore(part: ProjectMetadata | undefined): Promise<void> {
    if (!part) {
      this.forget();
      return;
    }
    if (part.path === this.path && this.imported) return;
    if (!(await this.import(part.path))) return;
    const names = this.columns.map((c) => c.name);
    this.colorColumn = part.colorColumn && names.includes(part.colorColumn) ? part.colorColumn : null;
    this.filters = Object.fromEntries(Object.entries(part.filters).filter(([name]) => names.includes(name)));
  }

  setFilter(name: string, filter: ColumnFilter | null): void {
    const next = { ...this.filters };
    if (filter) next[name] = filter;
    else delete next[name];
    this.filters = next;
  }

  /** Adds or removes one category of a column's kept values (all kept: no filter). */
  toggleValue(name: string, code: number, categoryCount: number): void {
    const current = this.filters[name];
    const kept = current?.kind === 'values' ? current.codes : Array.from({ length: categoryCount }, (_, c) => c);
    const next = kept.includes(code) ? kept.filter((c) => c !== code) : [...kept, code].sort((a, b) => a - b);
    this.setFilter(name, next.length === categoryCount ? null : { kind: 'values', codes: next });
  }

  clearFilters(): void {
    this.filters = {};
  }

  /** Another dataset: its files are other ones. */
  forget(): void {
    this.imported = null;
    this.path = null;
    this.filters = {};
    this.colorColumn = null;
    this.error = null;
  }
}
