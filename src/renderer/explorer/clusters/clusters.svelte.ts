/**
 * Clusters of the open model's latent means: found in a web worker (progress, cancel; one run at a
 * time), named after their most common label or folder, kept while the points stay the same (a view
 * change keeps them: they belong to the means, not to the layout).
 */
import type { Session } from '../../shell/session';
import type { Layout } from '../layout';
import { folderOf, labelClusters, type ClusterLabel } from './cluster-labels';
import type { ClusterMessage, ClusterRequest } from './cluster.worker';
import { spawnClusterWorker } from './spawn';

export interface Clusters {
  /** The means they were found on (a new array: other points). */
  mu: Float32Array;
  k: number;
  assignments: Int32Array;
  labels: ClusterLabel[];
  scores: { k: number; silhouette: number }[];
}

/** Points k is chosen on, and the largest k tried. */
const SAMPLE_SIZE = 1500;
const K_MAX = 12;

export class ClusterState {
  result = $state.raw<Clusters | null>(null);
  /** "Clusters: k = 5 of 12" while a run goes on; null otherwise. */
  progress = $state<string | null>(null);
  /** Whether a run goes on (the Cancel button shows). */
  running = $state(false);
  private worker: Worker | null = null;

  constructor(
    private readonly app: Pick<Session, 'notify' | 'files'>,
    private readonly layout: () => Layout | null,
  ) {}

  /** The clusters of layout `l`'s points (null: none found for them yet). */
  of(l: Layout | null): Clusters | null {
    const r = this.result;
    return r && l && l.source === 'embeddings' && r.mu === l.mu && r.assignments.length === l.count ? r : null;
  }

  /** Finds the clusters of the layout's points unless they are known or being found. */
  ensure(): void {
    const l = this.layout();
    if (!l || l.source !== 'embeddings' || this.of(l) || this.running) return;
    this.start(l);
  }

  private start(l: Layout): void {
    this.cancel();
    const worker = spawnClusterWorker();
    this.worker = worker;
    this.running = true;
    this.progress = 'Clusters: sampling…';
    const end = (): void => {
      worker.terminate();
      if (this.worker === worker) {
        this.worker = null;
        this.running = false;
        this.progress = null;
      }
    };
    worker.onmessage = (e: MessageEvent<ClusterMessage>) => {
      if (this.worker !== worker) return;
      const m = e.data;
      if (m.type === 'progress') this.progress = `Clusters: ${Math.round((100 * m.done) / m.total)} %`;
      else if (m.type === 'error') {
        end();
        this.app.notify('error', `could not find clusters: ${m.message}`);
      } else {
        end();
        const labels = labelClusters(m.assignments, m.k, m.representatives, (i) => this.nameOf(l, i));
        this.result = { mu: l.mu, k: m.k, assignments: m.assignments, labels, scores: m.scores };
      }
    };
    worker.onerror = (e) => {
      if (this.worker !== worker) return;
      end();
      this.app.notify('error', `could not find clusters: ${e.message || 'the worker failed'}`);
    };
    const request: ClusterRequest = {
      type: 'fit',
      mu: l.mu.slice(0, l.count * l.latentDim),
      count: l.count,
      latentDim: l.latentDim,
      sampleSize: SAMPLE_SIZE,
      kMax: K_MAX,
      seed: 1,
    };
    worker.postMessage(request, [request.mu.buffer]);
  }

  /** A point's dataset label, else its folder. */
  private nameOf(l: Layout, i: number): string | null {
    const label = l.labels[i];
    if (label >= 0 && label < l.labelNames.length) return l.labelNames[label];
    const file = this.app.files?.[l.ids[i]];
    return file ? folderOf(file) : null;
  }

  /** Stops a run; true when one ran. */
  cancel(): boolean {
    const w = this.worker;
    if (!w) return false;
    this.worker = null;
    this.running = false;
    this.progress = null;
    w.terminate();
    return true;
  }

  /** Other points: the clusters were the old ones'. */
  forget(): void {
    this.cancel();
    this.result = null;
  }
}
