/** The dropped images' context: their panel and the view's marks take the DroppedImages state, not the root. */
import { createContext } from 'svelte';
import type { DroppedImages } from './dropped.svelte';

export const [useDropped, provideDropped] = createContext<DroppedImages>();
