/** The training slice's context: its panel takes the TrainingState, not the root. */
import { createContext } from 'svelte';
import type { TrainingState } from './training.svelte';

export const [useTraining, provideTraining] = createContext<TrainingState>();
