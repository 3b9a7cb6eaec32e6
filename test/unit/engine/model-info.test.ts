/** The model facts the service gets: bits/dim per epoch, recorded or (older models) computed from the losses. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, makeConfig } from '../../../src/engine/model/vae';
import { modelInfo } from '../../../src/engine/model-info';
import { readManifest, saveModel } from '../../../src/engine/train/checkpoint';
import { tempDir, useTestBackend } from '../helpers';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-model-info-');
});
afterAll(() => root?.cleanup());

const epoch = {
  epoch: 1,
  train_loss: -50,
  test_loss: -100,
  recon: -60,
  kl: 10,
  test_recon: -110,
  test_kl: 10,
  samples_per_s: 100,
  seconds: 2,
  backend: 'wasm',
};

describe('modelInfo: bits per dimension', () => {
  it('an older model without them gets them from its losses (Gaussian, D = 9 × 9 × 3 = 243)', async () => {
    const dir = join(root.path, 'old');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: 9, channels: 3, likelihood: 'gaussian' }), 1);
    await saveModel(dir, vae, { metrics: [epoch], epochsCompleted: 1 });
    vae.dispose();
    const [m] = modelInfo(dir, await readManifest(dir)).metrics;
    // (−100 / 243 + ln 256) / ln 2 and (−50 / 243 + ln 256) / ln 2
    expect(m.test_bpd).toBeCloseTo(7.406298, 5);
    expect(m.train_bpd).toBeCloseTo(7.703149, 5);
    expect(m.test_loss).toBe(-100); // the nats stay
  });

  it('a model that recorded them keeps its own', async () => {
    const dir = join(root.path, 'new');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: 9, channels: 3, likelihood: 'gaussian' }), 1);
    await saveModel(dir, vae, { metrics: [{ ...epoch, train_bpd: 1.5, test_bpd: 2.5 }], epochsCompleted: 1 });
    vae.dispose();
    expect(modelInfo(dir, await readManifest(dir)).metrics[0]).toMatchObject({ train_bpd: 1.5, test_bpd: 2.5 });
  });
});
