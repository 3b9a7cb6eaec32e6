/**
 * Requests to move the 3D view's camera from anywhere in the page (a key, a table row, a bookmark):
 * the latest one, which the view carries out. A sequence number makes a repeated request new.
 */
import type { Vec3 } from '../scene/types';

export type CameraRequest = { kind: 'reset' } | { kind: 'fly'; to: Vec3 };

export class CameraRequests {
  latest = $state.raw<(CameraRequest & { seq: number }) | null>(null);
  private seq = 0;

  /** Back to the layout's home view. */
  reset(): void {
    this.latest = { kind: 'reset', seq: ++this.seq };
  }

  /** Glide to look at a view position from close by. */
  flyTo(to: Vec3): void {
    this.latest = { kind: 'fly', to, seq: ++this.seq };
  }
}
