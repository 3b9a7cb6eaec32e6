/**
 * The search box's state: the query and which points of the current layout it matches (the view
 * highlights those and dims the rest). The language is point-query.ts's.
 */
import type { LatentViewState } from './latent-view.svelte';
import type { MetadataColumn } from '../../shared/contract';
import { columnQuery } from './metadata/metadata-view';
import { queryPoints, type QueryResult } from './point-query';

export class SearchState {
  query = $state('');

  /** What the query matches in the current layout (null: no search). */
  readonly result: QueryResult | null = $derived.by(() => {
    const l = this.view.layout;
    if (!l) return null;
    // `column:value` names an imported column: the metadata's own search (else the usual forms apply).
    const columns = this.columns();
    const byColumn = columns ? columnQuery(columns, this.query, l.ids) : null;
    if (byColumn) return { mask: byColumn, count: byColumn.reduce((n, v) => n + v, 0), error: null };
    return queryPoints({ count: l.count, ids: l.ids, labels: l.labels, labelNames: l.labelNames, files: this.files() }, this.query);
  });

  constructor(
    private readonly view: LatentViewState,
    /** Per dataset index, its file path (folders; null: none known). */
    private readonly files: () => readonly string[] | null,
    /** The imported metadata's columns (null: none imported). */
    private readonly columns: () => readonly MetadataColumn[] | null = () => null,
  ) {}

  clear(): void {
    this.query = '';
  }
}
