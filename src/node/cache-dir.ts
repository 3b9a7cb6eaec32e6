/**
 * The app's own cache folder, `<XDG_CACHE_HOME or ~/.cache>/latentscape`: what it holds is rebuilt when
 * missing (the ingest cache, the engine's compiled code). Imports only node: the engine's entry loads it
 * before anything else.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function appCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'latentscape');
}
