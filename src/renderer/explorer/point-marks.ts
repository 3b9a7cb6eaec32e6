/**
 * How each point is drawn given the search and the selection (the MARK_* values of the scene's
 * shader): a search highlights its matches and dims the rest; selected points are highlighted
 * (and, with no search, the others stay as they are).
 */
export const MARK_NORMAL = 0;
export const MARK_DIM = 1;
export const MARK_HIGHLIGHT = 2;

/** Per point a mark, or null when every point is drawn normally. `dimUnselected`: grey out what a selection leaves out. */
export function pointMarks(count: number, matches: Uint8Array | null, selected: Uint8Array | null, dimUnselected = false): Uint8Array | null {
  if (!matches && !selected) return null;
  const marks = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    if (selected?.[i]) marks[i] = MARK_HIGHLIGHT;
    else if (selected && dimUnselected) marks[i] = MARK_DIM;
    else if (matches) marks[i] = matches[i] ? MARK_HIGHLIGHT : MARK_DIM;
  }
  return marks;
}

/** The hidden mask: hidden labels, and everything outside `isolated` (an isolated selection, the metadata filters). */
export function hiddenMask(count: number, labels: Int32Array, hiddenLabels: readonly number[], isolated: Uint8Array | null): Uint8Array | null {
  if (!hiddenLabels.length && !isolated) return null;
  const hide = new Set(hiddenLabels);
  const mask = new Uint8Array(count);
  for (let i = 0; i < count; i++) mask[i] = hide.has(labels[i]) || (isolated && !isolated[i]) ? 1 : 0;
  return mask;
}

/** The points both masks keep (1 in each); a null mask keeps everything. */
export function bothKept(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (!a || !b) return a ?? b;
  const kept = new Uint8Array(Math.min(a.length, b.length));
  for (let i = 0; i < kept.length; i++) kept[i] = a[i] && b[i] ? 1 : 0;
  return kept;
}
