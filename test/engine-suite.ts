/**
 * Engine suites run once per backend, with the tensor-count check built in (as tfjs's own
 * `describeWithFlags` runs its suites per backend inside a scope check).
 *
 * `describeEngine(name, fn)` registers `name [cpu]`, `name [wasm]` in vitest's `unit` project and
 * `name [tensorflow]` in its `tensorflow` project (LATENTSCAPE_TEST_BACKEND=tensorflow; vitest.config.ts
 * gives that project every test file that calls `describeEngine(`). Each copy switches the engine's
 * backend first (initBackend: the same smoke check the app runs) and checks after every test that
 * tf.memory().numTensors is what it was before it: a test that leaves a tensor behind fails. A test
 * that keeps tensors on purpose says how many and why with `keepsTensors`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { initBackend, type BackendName } from '../src/engine/backend';

export type EngineBackend = BackendName;

const ALL_BACKENDS: readonly EngineBackend[] = ['cpu', 'wasm', 'tensorflow'];

/** The backends this vitest project runs engine suites on. */
export const PROJECT_BACKENDS: readonly EngineBackend[] =
  process.env.LATENTSCAPE_TEST_BACKEND === 'tensorflow' ? ['tensorflow'] : process.env.LATENTSCAPE_TEST_BACKEND === 'webgpu' ? ['webgpu'] : ['cpu', 'wasm'];

export interface EngineSuiteOptions {
  /**
   * The backends the suite is meant for (default: all three) with the reason it leaves any out,
   * e.g. a test of wasm kernels against cpu's, or a long training not worth running three times.
   */
  only?: { backends: readonly EngineBackend[]; why: string };
}

let before = 0;
let kept = 0;

/**
 * Declares that the running test keeps `count` tensors on purpose (a model or cache that later tests
 * use, disposed in an afterAll): the check then expects exactly that many more.
 */
export function keepsTensors(count: number, why: string): void {
  if (!why) throw new Error('keepsTensors needs a reason');
  kept += count;
}

/** Tensors the running test made and did not free, beyond those it declared with `keepsTensors`. */
export function tensorsLeftBehind(): number {
  return tf.memory().numTensors - before - kept;
}

export function describeEngine(name: string, fn: (backend: EngineBackend) => void, options: EngineSuiteOptions = {}): void {
  const meant = options.only?.backends ?? ALL_BACKENDS;
  const here = PROJECT_BACKENDS.filter((b) => meant.includes(b));
  if (here.length === 0) {
    // Reported as skipped, with the reason, rather than as a file without tests.
    describe.skip(`${name} [${PROJECT_BACKENDS.join(', ')}]: not run here — ${options.only?.why}`, () => {});
    return;
  }
  for (const backend of here) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        const info = await initBackend(backend);
        if (info.name !== backend) throw new Error(`${backend} backend unavailable: ${info.fallbacks.join('; ')}`);
        // initBackend returns early when it chose this backend before; a test may have switched since.
        if (tf.getBackend() !== backend) await tf.setBackend(backend);
      });
      beforeEach(() => {
        kept = 0;
        before = tf.memory().numTensors;
      });
      afterEach(() => {
        expect(tensorsLeftBehind(), `tensors left behind on ${backend}`).toBe(0);
      });
      fn(backend);
    });
  }
}
