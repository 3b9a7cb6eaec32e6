/**
 * Kernels that add a reference to their input instead of making a new tensor: Identity on wasm, and a
 * reshape to the shape a tensor already has on native TensorFlow.
 *
 * Identity on wasm shares the input's memory instead of copying it.
 *
 * Why: tfjs clones every tensor a gradient saves for the backward pass (engine.keep(clone(t))), and
 * the wasm backend's Identity copies the data for each clone: ~20 full copies of activations per
 * training step. Tensors are immutable and the wasm backend reference-counts shared memory already
 * (its Reshape shares), so Identity can do what the cpu backend's does: add a reference.
 */
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let replaced = false;

export function shareIdentityOnWasm(): void {
  if (replaced || !tf.getKernel('Identity', 'wasm')) return;
  replaced = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

let reshapeShared = false;

/**
 * On native TensorFlow a reshape to the tensor's own shape returns the tensor (one more reference).
 *
 * Why: tfjs-node runs every reshape as a TensorFlow op, with a shape tensor made for it and freed after:
 * 60–110 µs each inside a training step. tfjs's gradients reshape every bias and weight gradient to its
 * variable's shape, which it already has: 12 of the MLP step's 15 reshapes (and most of the folder conv's
 * 22) changed nothing. A TensorFlow tensor carries its own shape, so only a reshape that keeps it can
 * share; any other still runs tfjs-node's kernel. The numbers are the same (the same data).
 */
export function shareSameShapeReshapeOnTensorflow(): void {
  const native = tf.getKernel('Reshape', 'tensorflow');
  if (reshapeShared || !native) return;
  reshapeShared = true;
  tf.unregisterKernel('Reshape', 'tensorflow');
  tf.registerKernel({
    ...native,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const shape = tf.util.inferFromImplicitShape([...(args.attrs as { shape: number[] }).shape], tf.util.sizeFromShape(x.shape));
      if (!tf.util.arraysEqual(shape, x.shape)) return native.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
