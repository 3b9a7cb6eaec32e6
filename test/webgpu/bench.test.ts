/** The bench's webgpu row on Dawn's adapter (SwiftShader in the tests): named by its adapter, labelled when it is software. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend';
import { chosenBackend } from '../../src/engine/backend-choice';
import { benchWebgpu } from '../../src/engine/bench-figures/webgpu-bench';
import { webgpuMissing } from '../webgpu-status';

const missing = webgpuMissing(process.env);

describe.skipIf(missing !== null)(`the webgpu bench row${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('names the adapter the figure ran on, says a software one is no GPU figure, and puts the backend back', async () => {
    await initBackend('cpu');
    const figures = await benchWebgpu({ batch: 16, minSeconds: 0, maxSteps: 1 });
    expect(figures).toEqual({
      webgpu_train_mlp_samples_per_s: expect.any(Number),
      webgpu_adapter: 'SwiftShader (software)',
      webgpu_adapter_software: true,
      webgpu_note: 'measured on a software adapter (the CPU emulating a GPU): not a GPU figure',
    });
    expect(chosenBackend()?.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
