/** Snapshots of the latent space while a model trains, so the page can show it forming. */
import { gatherImages, type Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import { fitPca } from '../latent/projection';
import { alignAxes, project } from '../../shared/projection';
import type { ExplorerEngineEvent } from '../../shared/explorer-schemas';
import type { LinearProjectionKind } from '../../shared/vocabulary';
import { yieldToEventLoop } from '../../node/event-loop';

/**
 * Re-embeds an even sample of the dataset with the model being trained, at most every
 * `minIntervalMs` and at the end of every epoch, so the page can show the space forming. For
 * d > 3 the view is a PCA of the sample whose axes keep their signs from one snapshot to the next.
 */
export class SnapshotTaker {
  private readonly ids: Int32Array;
  private readonly labels: Int32Array;
  private readonly pixels: Uint8Array;
  private last = -Infinity;
  private globalStep = 0;
  private previousAxes: number[][] | null = null;

  constructor(
    dataset: Dataset,
    private readonly emit: (event: ExplorerEngineEvent) => void,
    sampleSize = 2000,
    private readonly minIntervalMs = 1000,
  ) {
    const n = Math.min(sampleSize, dataset.count);
    const stride = dataset.count / n;
    this.ids = new Int32Array(n);
    for (let i = 0; i < n; i++) this.ids[i] = Math.floor(i * stride);
    this.labels = Int32Array.from(this.ids, (i) => dataset.labels[i]);
    this.pixels = gatherImages(dataset, this.ids);
  }

  /** After a step: takes a snapshot when one is due (the first step, every interval, an epoch's end). */
  async step(info: { vae: Vae; epoch: number; step: number; last: boolean }): Promise<void> {
    this.globalStep++;
    const now = performance.now();
    if (!(info.last || now - this.last >= this.minIntervalMs)) return;
    this.last = now;
    const vae = info.vae;
    const d = vae.config.latentDim;
    const n = this.ids.length;
    const mu = await vae.embed(this.pixels, n);
    let view: Float32Array;
    let projection: LinearProjectionKind = 'identity';
    if (d <= 3) {
      view = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) view[i * 3 + j] = mu[i * d + j];
    } else {
      const pca = fitPca(mu, n, d);
      alignAxes(pca.axes, this.previousAxes);
      this.previousAxes = pca.axes;
      view = project(pca, mu, n);
      projection = 'pca';
    }
    this.emit({
      type: 'snapshot',
      epoch: info.epoch,
      step: info.step,
      globalStep: this.globalStep,
      latentDim: d,
      count: n,
      ids: this.ids,
      labels: this.labels,
      mu,
      view,
      projection,
    });
    await yieldToEventLoop();
  }
}
