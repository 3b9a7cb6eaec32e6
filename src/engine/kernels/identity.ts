/**
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
