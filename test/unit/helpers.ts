import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend';

/** Every engine test runs on wasm, the backend these machines (and CI) have. */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error('wasm backend unavailable');
}

export async function tempDir(prefix = 'latentscape-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A deterministic standard normal stream in float64 (independent of tfjs). */
export function normalStream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
