/**
 * The selection of the 3D view: any set of points (lasso, Shift+click, a search), kept as a mask
 * over the current layout's points. Isolating hides the rest; inverting takes the visible points
 * that were not selected. A layout of other points (a training snapshot's sample, another dataset)
 * drops it; the same points again keep it: another view of them (PCA → UMAP), and new embeddings of the
 * same images (the refresh after training, another model of the same folder) — ids equal in content.
 */
import type { LatentViewState } from './latent-view.svelte';

interface Marked {
  /** Per point, 1 when selected. */
  mask: Uint8Array;
  count: number;
  /** The points it is over (the layout's ids array: the same object for every view of them). */
  ids: Int32Array | null;
}

/** The same points in the same order: the same ids array, or one equal to it element by element. */
function samePoints(a: Int32Array | null, b: Int32Array): boolean {
  if (a === b) return true;
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SelectionState {
  private marked = $state.raw<Marked>({ mask: new Uint8Array(0), count: 0, ids: null });
  private isolate = $state(false);
  /** Grey out the points outside the selection (instead of hiding them, as isolating does). */
  dimOthers = $state(false);

  /** The selection over the current layout's points (null: none, or it was over other points). */
  readonly mask: Uint8Array | null = $derived.by(() => {
    const l = this.view.layout;
    const m = this.marked;
    return l && m.count > 0 && m.mask.length === l.count && samePoints(m.ids, l.ids) ? m.mask : null;
  });
  readonly count: number = $derived(this.mask ? this.marked.count : 0);
  /** Only the selection is shown. */
  readonly isolated: boolean = $derived(this.isolate && this.count > 0);

  constructor(private readonly view: LatentViewState) {}

  private base(): Uint8Array {
    return this.mask ? this.mask.slice() : new Uint8Array(this.view.layout?.count ?? 0);
  }

  private commit(mask: Uint8Array): void {
    let n = 0;
    for (let i = 0; i < mask.length; i++) n += mask[i];
    this.marked = { mask, count: n, ids: this.view.layout?.ids ?? null };
    if (n === 0) this.isolate = false;
  }

  /** Indices of the selected points (layout order). */
  indices(): number[] {
    const out: number[] = [];
    const mask = this.mask;
    if (mask) for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
    return out;
  }

  /** Adds points to the selection, or replaces it with them. */
  add(indices: ArrayLike<number>, replace = false): void {
    const mask = replace ? new Uint8Array(this.view.layout?.count ?? 0) : this.base();
    for (let k = 0; k < indices.length; k++) if (indices[k] >= 0 && indices[k] < mask.length) mask[indices[k]] = 1;
    this.commit(mask);
  }

  /** Shift+click: a point in or out. */
  toggle(i: number): void {
    const mask = this.base();
    if (i < 0 || i >= mask.length) return;
    mask[i] = mask[i] ? 0 : 1;
    this.commit(mask);
  }

  /** Selects what a mask marks (e.g. the search's matches). */
  fromMask(marks: Uint8Array): void {
    this.commit(marks.slice());
  }

  /** The visible points that were not selected (hidden ones stay out). */
  invert(hidden: Uint8Array | null): void {
    const mask = this.base();
    for (let i = 0; i < mask.length; i++) mask[i] = mask[i] || hidden?.[i] ? 0 : 1;
    this.isolate = false;
    this.commit(mask);
  }

  clear(): void {
    this.isolate = false;
    this.commit(new Uint8Array(this.view.layout?.count ?? 0));
  }

  setIsolated(on: boolean): void {
    this.isolate = on && this.count > 0;
  }
}
