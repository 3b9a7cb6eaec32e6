/**
 * The sliders at the decoded point: its anchor z₀ (the decoded latent, kept while the sliders move it),
 * the directions (local: the principal axes of its k nearest latent means; global: of all of them), each
 * slider's t in σ units, and the decodes they send. Decodes go through the view's decode queue (at most
 * one in flight, the latest wins), so a drag decodes live without piling up requests.
 */
import type { Embeddings } from '../../../shared/contract';
import type { Session } from '../../shell/session';
import type { LatentViewState } from '../latent-view.svelte';
import { customAxisProjection } from './custom-axis';
import { nearestRows, principalDirections, walk, type PrincipalDirections } from './principal-directions';

export type DirectionScope = 'local' | 'global';
/** How many sliders at most (the first principal axes carry most of the variance). */
export const MAX_SLIDERS = 5;
export const DEFAULT_NEIGHBOURS = 50;

/** The global directions of each set of embeddings, fitted once (d² work per point). */
const globalFits = new WeakMap<Float32Array, PrincipalDirections>();

export function globalDirections(e: Pick<Embeddings, 'mu' | 'latentDim' | 'count'>): PrincipalDirections {
  let fit = globalFits.get(e.mu);
  if (!fit) globalFits.set(e.mu, (fit = principalDirections(e.mu, e.latentDim, e.count)));
  return fit;
}

/** Shows the view with `direction` as its x axis (y, z: the global principal axes made orthogonal to it). */
export function showDirectionAsAxis(view: LatentViewState, app: Pick<Session, 'embeddings' | 'notify'>, direction: ArrayLike<number>, what: string): void {
  const e = app.embeddings;
  if (!e) return;
  const p = customAxisProjection(direction, globalDirections(e));
  if ('error' in p) return app.notify('error', `cannot use ${what} as an axis: ${p.error}`);
  view.showCustomProjection(p, what);
}

export class DirectionsState {
  scope = $state<DirectionScope>('local');
  neighbours = $state(DEFAULT_NEIGHBOURS);
  /** The point the sliders move from. */
  anchor = $state.raw<Float32Array | null>(null);
  /** Each slider's position, in standard deviations along its axis. */
  t = $state<number[]>([]);
  /** The latest z the sliders sent: its decode must not become the new anchor. */
  private sent: Float32Array | null = null;

  constructor(
    private readonly view: LatentViewState,
    private readonly app: Pick<Session, 'embeddings'>,
  ) {}

  /** The directions at the anchor (null without one, or without embeddings of its size). */
  readonly directions = $derived.by((): PrincipalDirections | null => {
    const e = this.app.embeddings;
    const z0 = this.anchor;
    if (!e || !z0 || z0.length !== e.latentDim || e.count < 2) return null;
    if (this.scope === 'global') return globalDirections(e);
    const rows = nearestRows(e.mu, e.latentDim, e.count, z0, Math.max(2, this.neighbours));
    return principalDirections(e.mu, e.latentDim, e.count, rows);
  });

  /** How many sliders are shown. */
  get sliderCount(): number {
    return Math.min(MAX_SLIDERS, this.directions?.axes.length ?? 0);
  }

  /** The decoded image changed: a latent the sliders did not send becomes the new anchor (sliders back to 0). */
  follow(z: Float32Array | null): void {
    if (z && z === this.sent) return;
    this.anchor = z ? Float32Array.from(z) : null;
    this.t = [];
    this.sent = null;
  }

  /** Slider i moved to t: decode z₀ + Σ tᵢ·σᵢ·vᵢ. */
  move(i: number, t: number): void {
    const dirs = this.directions;
    if (!dirs || !this.anchor) return;
    const next = Array.from({ length: this.sliderCount }, (_, k) => this.t[k] ?? 0);
    next[i] = t;
    this.t = next;
    this.sent = walk(this.anchor, dirs, next);
    this.view.decodeLatent(this.sent, 'external');
  }

  setScope(scope: DirectionScope): void {
    this.scope = scope;
    this.reset();
  }

  /** All sliders back to 0: the anchor is decoded again. */
  reset(): void {
    const hadMoved = this.t.some((t) => t !== 0);
    this.t = [];
    if (!this.anchor || !hadMoved) return;
    this.sent = Float32Array.from(this.anchor);
    this.view.decodeLatent(this.sent, 'external');
  }
}
