import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { recordSampleQuality } from '../../../../src/engine/train/manifest-quality';
import { modelInfo } from '../../../../src/engine/model-info';
import type { SampleQualityRecord } from '../../../../src/shared/contract';
import { tempDir, useWasm } from '../../helpers';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await useWasm();
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

const record: SampleQualityRecord = {
  epoch: 2,
  sample_fd: 8.5,
  floor_fd: 0.25,
  recon_fd: 4.5,
  fd_n: 1000,
  z_source: 'N(0, I)',
  feature_space: "classifier on the dataset's 10 labels",
  feature_labels: true,
};

describe('recordSampleQuality', () => {
  it('adds the figures to the manifest, which the service then sees', async () => {
    const model = `${dir.path}/m`;
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, hidden: 8 }), 0);
    await saveModel(model, vae, { epochsCompleted: 2 });
    vae.dispose();
    const measured = await readManifest(model);
    expect(modelInfo(model, measured)).not.toHaveProperty('sampleQuality');
    await recordSampleQuality(model, measured, record);
    const after = await readManifest(model);
    expect(after.sampleQuality).toEqual(record);
    expect(modelInfo(model, after).sampleQuality).toEqual({
      epoch: 2,
      sampleFd: 8.5,
      floorFd: 0.25,
      reconFd: 4.5,
      n: 1000,
      zSource: 'N(0, I)',
      featureSpace: record.feature_space,
      featureLabels: true,
    });
  });

  it('refuses a model that changed since it was measured, and a new checkpoint drops the figures', async () => {
    const model = `${dir.path}/m2`;
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, hidden: 8 }), 0);
    await saveModel(model, vae, { epochsCompleted: 2 });
    const measured = await readManifest(model);
    await saveModel(model, vae, { epochsCompleted: 3 });
    await expect(recordSampleQuality(model, measured, record)).rejects.toThrow(/changed while it was measured/);
    expect((await readManifest(model)).sampleQuality).toBeUndefined();
    await recordSampleQuality(model, await readManifest(model), { ...record, epoch: 3 });
    await saveModel(model, vae, { epochsCompleted: 4 });
    expect((await readManifest(model)).sampleQuality).toBeUndefined();
    vae.dispose();
  });
});
