/** What the webgpu suites share: running a piece on the cpu backend for reference, and comparing within tolerances. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Runs `fn` on the cpu backend, then returns to webgpu. */
export async function onCpu<T>(fn: () => Promise<T>): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return await fn();
  } finally {
    await tf.setBackend('webgpu');
  }
}

/**
 * A check that `got` equals the cpu's `want` within atol + rtol·|want| everywhere (a NaN fails), naming the
 * worst entry; atol and rtol default to the suite's.
 */
export function closeWithin(defaultAtol: number, defaultRtol: number) {
  return (what: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = defaultAtol, rtol = defaultRtol): void => {
    expect(got.length, `${what}: length`).toBe(want.length);
    let worst = { i: -1, excess: 0 };
    for (let i = 0; i < want.length; i++) {
      const excess = Math.abs(got[i] - want[i]) - (atol + rtol * Math.abs(want[i]));
      if (!(excess <= worst.excess)) worst = { i, excess };
    }
    expect(worst.i, worst.i < 0 ? what : `${what}[${worst.i}] = ${got[worst.i]}, cpu ${want[worst.i]}`).toBe(-1);
  };
}
