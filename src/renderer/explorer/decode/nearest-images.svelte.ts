/**
 * The training images nearest the decoded latent (shown under the decoded image), in latent or pixel
 * space. Fetched once the cursor rests, with at most one request in flight and only the latest pending.
 */
import type { CallOutput } from '../../../shared/contract';
import { LatestOnly } from './latest-only';
import type { Session } from '../../shell/session';
import type { Decoded } from '../layout';

type Space = 'latent' | 'pixel';

export class NearestImages {
  result = $state.raw<{ seq: number; ids: Int32Array; distances: Float32Array; space: Space } | null>(null);
  space = $state<Space>('latent');
  private readonly queue: LatestOnly<{ seq: number; z: Float32Array; space: Space }, CallOutput<'nearest'>>;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `decoded`: the decoded image now shown; `decoding`: whether a decode is still in flight. */
  constructor(
    private readonly app: Pick<Session, 'api' | 'model' | 'isCurrent'>,
    private readonly decoded: () => Decoded | null,
    private readonly decoding: () => boolean,
  ) {
    this.queue = new LatestOnly(
      (r) => app.api.call('nearest', { z: r.z, k: 8, space: r.space, among: 'train' }),
      (r, found) => {
        if (app.isCurrent(found.generation) && r.seq === this.decoded()?.seq)
          this.result = { seq: r.seq, ids: found.ids, distances: found.distances, space: r.space };
      },
      () => {},
    );
  }

  clear(): void {
    this.result = null;
  }

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    // While dragging, wait for the cursor to rest.
    this.timer = setTimeout(() => {
      this.timer = null;
      const d = this.decoded();
      if (!d || this.decoding() || !this.app.model?.fitsDataset) return;
      this.queue.push({ seq: d.seq, z: d.z, space: this.space });
    }, 220);
  }

  setSpace(space: Space): void {
    this.space = space;
    this.result = null;
    this.schedule();
  }
}
