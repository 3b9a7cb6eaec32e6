/** The engine suites' own machinery (test/engine-suite.ts): the backend each copy runs on and the tensor count. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { describeEngine, keepsTensors, PROJECT_BACKENDS, tensorsLeftBehind } from '../../engine-suite';

const ran: string[] = [];

describeEngine('engine suites', (backend) => {
  let kept: tf.Tensor | null = null;
  afterAll(() => {
    kept?.dispose();
    ran.push(backend);
  });

  it('run on the backend they are named after', () => {
    expect(tf.getBackend()).toBe(backend);
  });

  it('count the tensors a test leaves behind', () => {
    const t = tf.ones([2]);
    expect(tensorsLeftBehind()).toBe(1);
    t.dispose();
    expect(tensorsLeftBehind()).toBe(0);
  });

  // Passes only if the afterEach check accepts the declared tensor (it is disposed in afterAll).
  it('accept a tensor kept on purpose, once declared', () => {
    kept = tf.ones([3]);
    keepsTensors(1, 'disposed in afterAll, to prove the declaration is honoured');
    expect(tensorsLeftBehind()).toBe(0);
  });

  it('refuse a declaration without a reason', () => {
    expect(() => keepsTensors(1, '')).toThrow(/reason/);
  });
});

afterAll(() => {
  // Every backend of this vitest project ran the suite (cpu and wasm, or tensorflow).
  expect(ran).toEqual([...PROJECT_BACKENDS]);
});
