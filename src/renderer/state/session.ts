/**
 * What the parts of the page's state need from the app: the API and what the service reported.
 * The root (AppState) provides it; the explorer, animation and project states take only this, so
 * no part of the state imports the root.
 */
import type { DatasetSummary, Embeddings, ModelSummary } from '../../shared/contract';
import type { Api } from '../lib/api';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Session {
  readonly api: Api;
  readonly dataset: DatasetSummary | null;
  readonly model: ModelSummary | null;
  readonly embeddings: Embeddings | null;
  notify(level: NoticeLevel, message: string): void;
  /** Asks the service for its status again. */
  refresh(): Promise<void>;
}
