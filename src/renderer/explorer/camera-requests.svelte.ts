/**
 * Requests to move the 3D view's camera from anywhere in the page (a key, a table row, a bookmark):
 * the latest one, which the view carries out. A sequence number makes a repeated request new.
 */
import type { CameraState, Vec3 } from '../scene/types';

export type CameraRequest = { kind: 'reset' } | { kind: 'fly'; to: Vec3 } | { kind: 'glide'; to: CameraState };

export class CameraRequests {
  latest = $state.raw<(CameraRequest & { seq: number }) | null>(null);
  private seq = 0;
  private reader: (() => CameraState) | null = null;

  /** The 3D view lends a way to read its camera (figures use its plane); returns the release. */
  attach(read: () => CameraState): () => void {
    this.reader = read;
    return () => {
      if (this.reader === read) this.reader = null;
    };
  }

  /** Where the camera is now (null: no 3D view). */
  current(): CameraState | null {
    return this.reader?.() ?? null;
  }

  /** Back to the layout's home view. */
  reset(): void {
    this.latest = { kind: 'reset', seq: ++this.seq };
  }

  /** Glide to a camera (a bookmark's). */
  glideTo(to: CameraState): void {
    this.latest = { kind: 'glide', to: { position: [...to.position], target: [...to.target] }, seq: ++this.seq };
  }

  /** Glide to look at a view position from close by. */
  flyTo(to: Vec3): void {
    this.latest = { kind: 'fly', to, seq: ++this.seq };
  }
}
