/** The library slice's context: its panels take the LibraryState, not the root. */
import { createContext } from 'svelte';
import type { LibraryState } from './library.svelte';

export const [useLibrary, provideLibrary] = createContext<LibraryState>();
