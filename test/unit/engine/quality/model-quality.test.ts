import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../../../src/engine/train/trainer';
import type { Vae } from '../../../../src/engine/model/vae';
import { measureModelQuality } from '../../../../src/engine/quality/model-quality';
import { tempDir, useTestBackend } from '../../helpers';
import { twoKindDataset } from './quality-data';

const d = twoKindDataset(100);
let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
let vae: Vae;
const manifestText = (): Promise<string> => readFile(join(model, 'manifest.json'), 'utf8');

beforeAll(async () => {
  await useTestBackend();
  dir = await tempDir();
  model = join(dir.path, 'm');
  ({ vae } = await train(d, { arch: 'mlp', latentDim: 2, hidden: 16, epochs: 1, batchSize: 20, outDir: model }));
}, 60_000);
afterAll(async () => {
  vae?.dispose();
  await dir?.cleanup();
});

describe('measureModelQuality', () => {
  it('a cancel leaves the manifest as it was', async () => {
    const before = await manifestText();
    const controller = new AbortController();
    const measuring = measureModelQuality(model, vae, d, {
      cacheDir: join(dir.path, 'features'),
      signal: controller.signal,
      onProgress: (p) => p.stage === 'samples' && controller.abort(),
    });
    await expect(measuring).rejects.toThrow(/cancelled/);
    expect(await manifestText()).toBe(before);
  }, 60_000);

  it('records the sample distance of the samples the app draws (the fitted density) in the manifest, leaving no tensors', async () => {
    const stages = new Set<string>();
    const tensors = tf.memory().numTensors;
    const record = await measureModelQuality(model, vae, d, { cacheDir: join(dir.path, 'features'), onProgress: (p) => stages.add(p.stage) });
    expect(tf.memory().numTensors).toBe(tensors);
    // The feature net was cached by the cancelled run's training: the stages are the measure's own.
    expect([...stages]).toEqual(['reference', 'samples', 'floor', 'recon']);
    expect(record).toMatchObject({ epoch: 1, fd_n: 20, feature_labels: true });
    expect(record.z_source).toMatch(/^fitted density/);
    expect(record.sample_fd).toBeGreaterThan(0);
    const manifest = JSON.parse(await manifestText());
    expect(manifest.sampleQuality).toEqual(record);
  }, 60_000);
});
