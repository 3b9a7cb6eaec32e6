/**
 * The dataset slice's state: opening MNIST or an image folder (with its preprocessing) and the ingest's
 * progress. What is open is the session's (`Session.dataset`, set from the service's status and events).
 */
import type { DatasetSummary } from '../../shared/contract';
import { DEFAULT_BACKGROUND, type Background, type ColorMode, type FitMode } from '../../shared/vocabulary';
import type { Jobs } from '../shell/session';

export interface FolderOptions {
  size?: number;
  color?: ColorMode;
  fit?: FitMode;
  background?: Background;
}

export class DatasetState {
  /** Images read so far while a folder is ingested (null: none is). */
  ingest = $state<{ done: number; total: number } | null>(null);
  /** What the transparent areas of a folder's images are flattened onto (sent with every folder opened). */
  background = $state<Background>(DEFAULT_BACKGROUND);
  /** The background the open folder was read with (the summary does not say). */
  private openedWith: Background | null = null;

  constructor(private readonly jobs: Jobs) {}

  async openMnist(): Promise<unknown> {
    const { jobs } = this;
    // The same dataset again keeps the project open (the service closes it only for another one).
    if (jobs.dataset?.source.kind !== 'mnist' && !jobs.leaveProject('open MNIST')) return undefined;
    jobs.newJob();
    return jobs.run('Opening MNIST…', () => jobs.api.call('openDataset', { source: { kind: 'mnist' } }));
  }

  async openFolder(path: string, options: FolderOptions = {}): Promise<DatasetSummary | undefined> {
    const { jobs } = this;
    const open = jobs.dataset?.source;
    const background = options.background ?? this.background;
    const same = open?.kind === 'folder' && open.path === path && Object.keys(options).length === 0 && this.openedWith === background;
    if (!same && !jobs.leaveProject(`open the folder ${path}`)) return undefined;
    jobs.newJob();
    const opened = await jobs.run('Opening the folder…', () => jobs.api.call('openDataset', { source: { kind: 'folder', path, ...options, background } }));
    if (opened) this.openedWith = background;
    return opened;
  }

  /** A native dialog where there is one (Electron). */
  async chooseFolder(): Promise<void> {
    const chosen = await this.jobs.run('Choosing…', () => this.jobs.api.call('choosePath', { purpose: 'dataset' }));
    if (chosen?.path) await this.openFolder(chosen.path);
  }
}
