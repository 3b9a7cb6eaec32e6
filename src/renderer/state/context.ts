/**
 * The page's one state root, shared with every component through Svelte context: App creates it
 * and provides it; panels and views take it with useApp() instead of props or a registry.
 */
import { getContext, setContext } from 'svelte';
import type { AppState } from './app.svelte';

const KEY = Symbol('latentscape.app');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() outside the app: App.svelte provides the state root');
  return app;
}
