/**
 * How the 3D view draws its points: the colouring (by label, reconstruction error or KL, with the
 * per-point measures loaded once per model), the labels hidden, the prior's shells and the point
 * size. Split from the view's layouts (latent-view.svelte.ts) so colours and classes change here.
 */
import type { PointStats } from '../../shared/contract';
import { isStale } from '../lib/api';
import type { Session } from '../shell/session';
import { soloHidden, type PointColoring } from './layout';

export class PointStyle {
  coloring = $state<PointColoring>('label');
  /** Every point's reconstruction error and KL (null: not loaded for the open model). */
  stats = $state.raw<PointStats | null>(null);
  statsLoading = $state(false);
  hiddenLabels = $state<number[]>([]);
  /** Colour by label with only this one in colour, the others grey (null: every label in its colour). */
  onlyLabel = $state<number | null>(null);
  showShells = $state(true);
  pointScale = $state(1);

  constructor(
    private readonly app: Pick<Session, 'api' | 'embeddings' | 'notify' | 'isCurrent'>,
    /** Colouring by cluster asks for the clusters (found in a worker, clusters/clusters.svelte.ts). */
    private readonly needClusters: () => void = () => {},
  ) {}

  /** Whether the colouring shows a per-point measure (loaded with pointStats). */
  private get measured(): boolean {
    return this.coloring === 'recon' || this.coloring === 'kl';
  }

  async setColoring(coloring: PointColoring): Promise<void> {
    this.coloring = coloring;
    if (coloring === 'cluster') this.needClusters();
    if (this.measured) await this.loadStats();
  }

  /** New points: their measures are loaded again when a colouring needs them. */
  pointsChanged(sameModel: boolean): void {
    if (!sameModel) this.stats = null;
    if (this.coloring === 'cluster') this.needClusters();
    if (this.measured) void this.loadStats();
  }

  /** Another dataset: its labels and measures are other ones. */
  forgetDataset(): void {
    this.stats = null;
    this.hiddenLabels = [];
    this.onlyLabel = null;
  }

  /** Loads every point's recon error and KL once per model (colours, the selection's table). */
  async loadStats(): Promise<void> {
    if (this.stats || this.statsLoading || !this.app.embeddings) return;
    this.statsLoading = true;
    try {
      const { generation, ...stats } = await this.app.api.call('pointStats', {});
      if (this.app.isCurrent(generation)) this.stats = stats;
    } catch (err) {
      if (isStale(err)) return;
      this.app.notify('error', `could not measure the points: ${(err as Error).message}`);
      this.coloring = 'label';
    } finally {
      this.statsLoading = false;
    }
  }

  toggleLabel(label: number): void {
    this.hiddenLabels = this.hiddenLabels.includes(label) ? this.hiddenLabels.filter((l) => l !== label) : [...this.hiddenLabels, label];
  }

  /** Shows only `label` (or everything again when it is the only one shown). */
  soloLabel(label: number, labelCount: number): void {
    this.hiddenLabels = soloHidden(this.hiddenLabels, label, labelCount);
  }
}
