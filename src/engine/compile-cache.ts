/**
 * Node's on-disk cache of compiled JavaScript for the engine process (`module.enableCompileCache`, Node
 * 22.1 and later, so Electron's Node; Node 20 has none and nothing happens). Most of the engine's start
 * after libtensorflow's load is V8 compiling tfjs and the engine's own bundle; from the second start on,
 * V8 reads that code back instead (engine start to embeddings ready, Node 24, 2-core machine: 1,206–1,234
 * ms without, 1,028–1,047 with, docs/PERFORMANCE.md). The folder is the app's own cache
 * (node/cache-dir.ts); a user's NODE_COMPILE_CACHE, where set, is Node's to honour instead.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { appCacheDir } from '../node/cache-dir';

type EnableCompileCache = (dir?: string) => { status: number; message?: string; directory?: string };
type NodeModuleCache = { enableCompileCache?: EnableCompileCache; flushCompileCache?: () => void };

/** Where the engine keeps its compiled code. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(appCacheDir(env), 'compile');
}

/**
 * Turns the cache on for every module loaded from here on; returns the folder in use, or null where this
 * Node has no compile cache or it could not be turned on (a cache that fails is only a slower start).
 */
export function enableEngineCompileCache(env: NodeJS.ProcessEnv = process.env): string | null {
  const enable = (nodeModule as unknown as NodeModuleCache).enableCompileCache;
  if (typeof enable !== 'function') return null;
  try {
    const result = enable(env.NODE_COMPILE_CACHE ? undefined : compileCacheDir(env));
    return result.directory ?? null;
  } catch {
    return null;
  }
}

/**
 * Writes what was compiled so far (Node writes it at a normal exit only, and the service stops its engine
 * with a signal). Node 22.10 and later; a no-op elsewhere.
 */
export function flushEngineCompileCache(): void {
  try {
    (nodeModule as unknown as NodeModuleCache).flushCompileCache?.();
  } catch {
    // a slower next start, nothing more
  }
}
