/** A latent density that cannot be fitted costs the density only: the trained checkpoint stays. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset } from '../../../../src/engine/data/dataset';
import { readManifest } from '../../../../src/engine/train/checkpoint';
import { train } from '../../../../src/engine/train/trainer';
import { tempDir, useTestBackend } from '../../helpers';

vi.mock('../../../../src/engine/latent/model-density', async (original) => ({
  ...(await original<typeof import('../../../../src/engine/latent/model-density')>()),
  fitModelDensity: () => Promise.reject(new Error('covariance is not positive definite')),
}));

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await useTestBackend();
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe('training when the density fit fails', () => {
  it('keeps the checkpoint, without a density, and says why', async () => {
    const model = join(dir.path, 'm');
    const small = limitDataset(await loadMnist(), 100);
    const result = await train(small, { arch: 'mlp', latentDim: 2, epochs: 1, batchSize: 50, outDir: model });
    result.vae.dispose();
    expect(result.cancelled).toBe(false);
    expect(result.latentDensity).toBeNull();
    expect(result.densityError).toMatch(/the latent density could not be fitted: covariance is not positive definite/);
    const manifest = await readManifest(model);
    expect(manifest.epochsCompleted).toBe(1);
    expect(manifest.latentDensity).toBeUndefined();
  });
});
