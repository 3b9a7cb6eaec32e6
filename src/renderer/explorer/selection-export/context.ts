/** The selection export's context: its panel takes the SelectionExportState, not the root. */
import { createContext } from 'svelte';
import type { SelectionExportState } from './selection-export.svelte';

export const [useSelectionExport, provideSelectionExport] = createContext<SelectionExportState>();
