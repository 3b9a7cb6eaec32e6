/**
 * Reads tensors' values asynchronously and disposes them. Every engine read goes through `await data()`
 * rather than `dataSync()`: webgpu under Node (Dawn) maps GPU buffers only asynchronously, and on the
 * other backends the awaited read gives the same values. The tensors are disposed also when a read fails.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The values of each tensor, in order; the tensors are disposed. */
export async function takeValues(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    tf.dispose([...tensors]);
  }
}

/** The first value of each tensor (scalars), in order; the tensors are disposed. */
export async function takeScalars(tensors: readonly tf.Tensor[]): Promise<number[]> {
  return (await takeValues(tensors)).map((values) => values[0]);
}
