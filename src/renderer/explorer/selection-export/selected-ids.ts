/** The selection as dataset indices (what the service names images by), in layout order. */
import type { Layout } from '../layout';
import type { SelectionState } from '../selection.svelte';

export function selectedDatasetIds(selection: Pick<SelectionState, 'indices'>, layout: Pick<Layout, 'ids'> | null): Int32Array {
  if (!layout) return new Int32Array(0);
  return Int32Array.from(selection.indices(), (i) => layout.ids[i]);
}
