/**
 * How many threads native TensorFlow computes on. libtensorflow sizes its intra-op pool when it loads,
 * from TF_NUM_INTRAOP_THREADS or else every core, and oneDNN's matmuls and convolutions split each
 * kernel over that pool. The engine's JavaScript thread dispatches every kernel in between: with the
 * pool on all cores, each small kernel pays a hand-over to the pool's threads, which then spin on the
 * cores the JavaScript thread needs. On the 2-core dev machine a pool of one thread made the app's
 * default steps 25–30 % faster (MLP at batch 128, the folder conv at 32) and only the conv at batch
 * 128 slower (≈ 18 %): docs/PERFORMANCE.md, "Thread pools". So the pool gets the cores but one.
 */
import { availableParallelism } from 'node:os';

/** The intra-op pool the engine asks for on a machine with `cores` cores: all but the dispatching thread's. */
export function defaultIntraOpThreads(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

function positiveInteger(value: string | undefined): number | null {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * The intra-op threads native TensorFlow gets in a process with this environment: TF_NUM_INTRAOP_THREADS
 * where it is a positive integer (set by the user or `latentscape bench --threads`), else the default.
 */
export function intraOpThreads(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  return positiveInteger(env.TF_NUM_INTRAOP_THREADS) ?? defaultIntraOpThreads(cores);
}

/**
 * Whether a libtensorflow of this version sizes its pool from TF_NUM_INTRAOP_THREADS. 2.21 (the
 * wheel `npm run setup:native` lays out) does; 2.9.1, which tfjs-node's own install downloads for
 * users, does not: measured with PyPI's 2.9.1 build, oneDNN reports every core with the variable set
 * to 1 (docs/PERFORMANCE.md, "What a user's install runs"). Versions not measured count as following it.
 */
export function poolFollowsEnvironment(tensorflowVersion: string | null): boolean {
  return tensorflowVersion === null || !/^2\.9\./.test(tensorflowVersion);
}

/** The threads native TensorFlow computes on: the settled ones, or every core where its version ignores them. */
export function nativePoolThreads(tensorflowVersion: string | null, env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  return poolFollowsEnvironment(tensorflowVersion) ? intraOpThreads(env, cores) : cores;
}

/** Writes the intra-op threads into `env` for libtensorflow to read as it loads: call before loading tfjs-node. */
export function settleIntraOpThreads(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): void {
  env.TF_NUM_INTRAOP_THREADS = String(intraOpThreads(env, cores));
}
