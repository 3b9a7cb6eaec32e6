/** The dataset slice's context: its panel takes the DatasetState, not the root. */
import { createContext } from 'svelte';
import type { DatasetState } from './dataset.svelte';

export const [useDataset, provideDataset] = createContext<DatasetState>();
