import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/engine/backend';

/** Tests of wasm-specific code (custom ops, kernels) run on wasm, the backend every machine has. */
export async function useWasm(): Promise<void> {
  const info = await initBackend('wasm');
  if (info.name !== 'wasm') throw new Error('wasm backend unavailable');
}

/** Runs fn with console.log and console.warn silenced: the cpu backend advertises tfjs-node on first use. */
export async function quietly<T>(fn: () => Promise<T> | T): Promise<T> {
  const { log, warn } = console;
  console.log = console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** Runs fn on the cpu backend (quietly), then returns to wasm. */
export async function onCpu<T>(fn: () => T): Promise<T> {
  try {
    return await quietly(async () => {
      await tf.setBackend('cpu');
      return fn();
    });
  } finally {
    await tf.setBackend('wasm');
  }
}

/**
 * The backend of vitest's project: wasm, or `tensorflow` in the `tensorflow` project. No engine test
 * uses it any more (engine suites get their backend from `describeEngine`, test/engine-suite.ts, and a
 * file that does not call it is not in the `tensorflow` project); kept for branches written before.
 */
export const TEST_BACKEND = (process.env.LATENTSCAPE_TEST_BACKEND || 'wasm') as BackendName;

export async function useTestBackend(): Promise<void> {
  const info = await initBackend(TEST_BACKEND);
  if (info.name !== TEST_BACKEND) throw new Error(`${TEST_BACKEND} backend unavailable`);
}

export async function tempDir(prefix = 'latentscape-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A deterministic standard normal stream in float64 (independent of tfjs). */
/** ‖got − want‖ / ‖want‖: how far a result is from its reference, as one number. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

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

const BIN = join(__dirname, '..', '..', 'bin', 'latentscape.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines, parsed. */
  lines: Record<string, unknown>[];
}

/** Runs `latentscape …` as a user would (a separate process through bin/latentscape.js). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 180_000): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.slice(0, 2000), lines };
}

/** A tensor's values, the tensor disposed (for the engine suites' tensor-count check). */
export function takeData(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}
