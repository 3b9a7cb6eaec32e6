/**
 * The decoded image and how it is asked for: a spot or a typed latent through a latest-only queue
 * (while dragging at most one request in flight and only the latest pending), a clicked point's
 * reconstruction (a later request of any kind wins over it), and the training images nearest it.
 * Where the image sits in the view is the view's business (latent-view.svelte.ts).
 */
import type { Images, Stamped } from '../../../shared/contract';
import type { Vec3 } from '../../scene/types';
import type { Session } from '../../shell/session';
import type { Decoded } from '../layout';
import { isStale } from '../../lib/api';
import { LatestOnly } from './latest-only';
import { NearestImages } from './nearest-images.svelte';

type DecodeRequest = { z: Float32Array; view: Vec3 | null; source: Decoded['source'] };

export class Decoder {
  decoded = $state.raw<Decoded | null>(null);
  /** How many decoded images were shown (the drag test measures the rate). */
  decodeCount = $state(0);
  readonly queue: LatestOnly<DecodeRequest, Stamped<Images>>;
  /** The training images nearest the decoded latent. */
  readonly nearby: NearestImages;
  private seq = 0;
  /** Bumped by every request: a reconstruction that comes back after a newer one is dropped. */
  private ticket = 0;

  constructor(private readonly app: Pick<Session, 'api' | 'notify' | 'model' | 'isCurrent'>) {
    this.queue = new LatestOnly(
      (r) => app.api.call('decode', { z: r.z }),
      ({ z, view, source }, { generation, ...image }) => {
        // A decode of the model that was open before (still in flight when it changed) is not shown.
        if (app.isCurrent(generation)) this.show({ z, view, image, source, index: null, label: null, original: null });
      },
      (_r, err) => {
        if (!isStale(err)) app.notify('error', `decode failed: ${(err as Error).message}`);
      },
    );
    this.nearby = new NearestImages(
      app,
      () => this.decoded,
      () => this.queue.busy,
    );
  }

  /** Decodes z, shown at `view` (null: not placed in the view). */
  request(z: Float32Array, view: Vec3 | null, source: Decoded['source']): void {
    this.ticket++;
    this.queue.push({ z, view, source });
  }

  /** A data point's original and reconstruction, shown at its place in the view. */
  async reconstruct(index: number, view: Vec3): Promise<void> {
    this.queue.clear();
    const ticket = ++this.ticket;
    try {
      const r = await this.app.api.call('reconstruct', { index });
      // A newer request of the user's wins; a reconstruction by another model is stale.
      if (ticket !== this.ticket || !this.app.isCurrent(r.generation)) return;
      this.show({ z: r.mu, view, image: r.reconstruction, source: 'point', index, label: r.label, original: r.original });
    } catch (err) {
      if (!isStale(err)) this.app.notify('error', `could not reconstruct image ${index}: ${(err as Error).message}`);
    }
  }

  /** The decoded image moved in the view (another projection), or left it (null). */
  placeAt(view: Vec3 | null): void {
    if (this.decoded) this.decoded = { ...this.decoded, view };
  }

  /** Nothing is decoded any more (another model, a cleared selection); answers on their way are dropped. */
  forget(): void {
    this.decoded = null;
    this.nearby.clear();
    this.queue.clear();
    this.ticket++;
  }

  private show(d: Omit<Decoded, 'seq'>): void {
    this.decoded = { ...d, seq: ++this.seq };
    this.decodeCount++;
    this.nearby.schedule();
  }
}
