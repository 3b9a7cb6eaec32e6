/**
 * What the slices' states need from the app: the API and what the service reported. The root
 * (AppState) provides it; the explorer, animation, project, library, dataset and training states take
 * only these narrow views, so no part of the state imports the root.
 */
import type { CallInput, DatasetSummary, Embeddings, Generation, ModelSummary, Stamped, Status } from '../../shared/contract';
import type { Api } from '../lib/api';

export type NoticeLevel = 'info' | 'warning' | 'error';

/** What a path is asked for (a native dialog in Electron; the browser types paths instead). */
export type PathPurpose = CallInput<'choosePath'>['purpose'];

export interface Session {
  readonly api: Api;
  readonly status: Status | null;
  readonly dataset: DatasetSummary | null;
  readonly model: ModelSummary | null;
  readonly embeddings: Stamped<Embeddings> | null;
  /** Each image's file relative to the dataset's folder (null: MNIST, or not loaded yet). */
  readonly files: string[] | null;
  /** Milliseconds from asking for the points to having them in the page (shown under the view). */
  readonly embeddingsMs: number | null;
  /** How many times the points were fetched (the view's timing line carries it). */
  readonly embeddingsFetches: number;
  notify(level: NoticeLevel, message: string): void;
  /** Whether a result or event stamped with `generation` still belongs to what is open: the one check against stale answers. */
  isCurrent(generation: Generation): boolean;
  /** Asks the service for its status again. */
  refresh(): Promise<void>;
  /** Fetches the open pair's points again. */
  loadEmbeddings(): Promise<void>;
  /** A path from the native dialog (null: cancelled, or no dialog; failures are shown as notices). */
  choosePath(purpose: PathPurpose, defaultName?: string): Promise<string | null>;
}

/** What the panels see of the session: no API (panels call it through their slice's state). */
export type PageSession = Omit<Session, 'api' | 'refresh'>;

/** What a state that starts a job (opening a dataset, training) needs from the root. */
export interface Jobs {
  readonly api: Api;
  readonly dataset: DatasetSummary | null;
  /** Runs an action, showing it as busy and its failure as a notice. */
  run<T>(label: string, action: () => Promise<T>): Promise<T | undefined>;
  /** Another dataset or model closes the open project: asks first; true when there is none or the user goes on. */
  leaveProject(action: string): boolean;
  /** A new job starts: the error notices of earlier ones no longer describe anything (issue 11, point 7). */
  newJob(): void;
}
