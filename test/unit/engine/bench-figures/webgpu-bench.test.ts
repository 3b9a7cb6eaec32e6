/** The bench's webgpu row where Dawn finds no adapter: skipped with the reason, the engine's backend kept. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import { chosenBackend } from '../../../../src/engine/backend-choice';
import { benchWebgpu } from '../../../../src/engine/bench-figures/webgpu-bench';

const STANDIN = join(__dirname, '..', '..', '..', 'fixtures', 'webgpu-standin.mjs');

describe('the webgpu bench row without an adapter', () => {
  const saved = { module: process.env.LATENTSCAPE_WEBGPU_MODULE, standin: process.env.WEBGPU_STANDIN };
  beforeEach(() => {
    process.env.LATENTSCAPE_WEBGPU_MODULE = STANDIN;
    process.env.WEBGPU_STANDIN = 'no-adapter';
  });
  afterEach(() => {
    for (const [name, value] of [
      ['LATENTSCAPE_WEBGPU_MODULE', saved.module],
      ['WEBGPU_STANDIN', saved.standin],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('says why there is no figure, and leaves the engine on its backend', async () => {
    await initBackend('cpu');
    expect(await benchWebgpu()).toEqual({
      webgpu_train_mlp_samples_per_s: null,
      webgpu_skipped: 'no usable tfjs backend (webgpu: no WebGPU adapter found (no GPU driver that Dawn can use))',
    });
    expect(chosenBackend()?.name).toBe('cpu');
  });
});
