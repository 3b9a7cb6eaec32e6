import * as tf from '@tensorflow/tfjs-core';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../../../src/engine/data/mnist';
import { limitDataset, type Dataset } from '../../../../src/engine/data/dataset';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { MODEL_FORMAT_VERSION, loadModel, readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { train } from '../../../../src/engine/train/trainer';
import { fitModelDensity, manifestDensity, storeDensity } from '../../../../src/engine/latent/model-density';
import { modelSamples } from '../../../../src/engine/model-samples';
import { modelInfo } from '../../../../src/engine/model-info';
import { EngineModelInfoSchema, runEngineCall } from '../../../../src/shared/engine-protocol';
import { engineHandlers } from '../../../../src/engine/handlers';
import { decodeFrame, encodeFrame } from '../../../../src/shared/wire';
import { drawLatents, sampleDensity, standardNormals, type LatentDensity } from '../../../../src/shared/latent-density';
import { tempDir, useTestBackend } from '../../helpers';

let small: Dataset;
let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await useTestBackend();
  small = limitDataset(await loadMnist(), 200);
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

const density2: LatentDensity = {
  dim: 2,
  weights: Float64Array.of(0.25, 0.75),
  means: Float64Array.of(1, 2, -1, 0),
  covariances: Float64Array.of(1, 0.2, 0.2, 0.5, 0.3, 0, 0, 0.3),
  heldOutLogLikelihood: -2.5,
  fittedOn: 40,
};

async function editManifest(model: string, edit: (m: Record<string, any>) => void): Promise<void> {
  const file = join(model, 'manifest.json');
  const m = JSON.parse(await readFile(file, 'utf8'));
  edit(m);
  await writeFile(file, JSON.stringify(m));
}

describe('a model folder’s latent density', () => {
  it('is saved in the manifest (format 2) and read back exactly', async () => {
    const model = join(dir.path, 'saved');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 1);
    await saveModel(model, vae, { latentDensity: density2 });
    vae.dispose();
    const { vae: loaded, manifest } = await loadModel(model);
    loaded.dispose();
    expect(manifest.formatVersion).toBe(2);
    expect(manifestDensity(manifest)).toEqual(density2);
    // The service hears of it with the open model (the library's listing does not carry it).
    const info = modelInfo(model, manifest, { density: true });
    expect(EngineModelInfoSchema.parse(info).latentDensity).toEqual(density2);
    expect(modelInfo(model, manifest)).not.toHaveProperty('latentDensity');
  });

  it('a format-1 model (no density) still loads and samples from N(0, I), saying so', async () => {
    const model = join(dir.path, 'old');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 1);
    await saveModel(model, vae, { latentDensity: density2 });
    vae.dispose();
    await editManifest(model, (m) => {
      m.formatVersion = 1;
      delete m.latentDensity;
    });
    const { vae: loaded, manifest } = await loadModel(model);
    loaded.dispose();
    expect(manifest.formatVersion).toBe(1);
    expect(manifestDensity(manifest)).toBeNull();
    expect(modelInfo(model, manifest, { density: true })).not.toHaveProperty('latentDensity');
    const drawn = drawLatents(null, 2, 3, 7);
    expect(drawn.prior).toBe('normal');
    expect(drawn.z).toEqual(standardNormals(6, 7));
    expect(() => drawLatents(null, 2, 3, 7, 'density')).toThrow(/no fitted latent density .*latentscape prepare/);
    // `prepare`'s path: the density goes into the old manifest, which becomes format 2 and a new date.
    const stored = await storeDensity(model, density2);
    expect(stored.formatVersion).toBe(MODEL_FORMAT_VERSION);
    expect(stored.updatedAt > manifest.updatedAt).toBe(true);
    expect(manifestDensity(await readManifest(model))).toEqual(density2);
  });

  it('refuses a density that does not fit the model or is not a density, saying why', async () => {
    const model = join(dir.path, 'bad');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3 }), 1);
    await saveModel(model, vae);
    vae.dispose();
    const json = { ...density2, weights: [0.25, 0.75], means: [1, 2, -1, 0], covariances: [1, 0.2, 0.2, 0.5, 0.3, 0, 0, 0.3] };
    await editManifest(model, (m) => (m.latentDensity = json));
    await expect(readManifest(model)).rejects.toThrow(/latent density has size 2, the model 3/);
    await editManifest(model, (m) => (m.latentDensity = { ...json, dim: 3, means: [1, 2, 3], weights: [1], covariances: [1, 0, 0, 0, -1, 0, 0, 0, 1] }));
    await expect(readManifest(model)).rejects.toThrow(/latentDensity: covariance 1 is not positive definite/);
  });

  it('draws from the density when there is one, N(0, I) when asked', () => {
    const fromDensity = drawLatents(density2, 2, 4, 3);
    expect(fromDensity.prior).toBe('density');
    expect(fromDensity.z).toEqual(sampleDensity(density2, 4, 3));
    const normal = drawLatents(density2, 2, 4, 3, 'normal');
    expect(normal.prior).toBe('normal');
    expect(normal.z).toEqual(standardNormals(8, 3));
    expect(() => drawLatents(density2, 3, 1, 0)).toThrow(/a density of size 2 for a model of latent size 3/);
  });
});

describe('training fits the density of its final checkpoint', () => {
  let model: string;
  let result: Awaited<ReturnType<typeof train>>;
  beforeAll(async () => {
    model = join(dir.path, 'trained');
    result = await train(small, { arch: 'mlp', latentDim: 3, epochs: 2, batchSize: 64, seed: 5, outDir: model });
  }, 120_000);
  afterAll(() => result.vae.dispose());

  it('stores it in the manifest and returns it', async () => {
    const manifest = await readManifest(model);
    expect(manifest.epochsCompleted).toBe(2);
    const stored = manifestDensity(manifest);
    expect(stored).not.toBeNull();
    expect(stored).toEqual(result.latentDensity);
    expect(stored!.dim).toBe(3);
    expect(stored!.fittedOn).toBe(small.split.train.length);
    expect(Number.isFinite(stored!.heldOutLogLikelihood)).toBe(true);
  });

  it('the fit is deterministic and keeps tensor counts flat', async () => {
    await fitModelDensity(result.vae, small, small.split.train, { seed: 5 }); // warm-up
    const tensors = tf.memory().numTensors;
    const again = await fitModelDensity(result.vae, small, small.split.train, { seed: 5 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(again.density).toEqual(result.latentDensity);
  });

  it('the library’s strip decodes draws from it', async () => {
    const strip = await modelSamples(model, 4, 11);
    const fromDensity = await result.vae.decodeToPixels(sampleDensity(result.latentDensity!, 4, 11), 4);
    const fromNormal = await result.vae.decodeToPixels(standardNormals(4 * 3, 11), 4);
    expect(Buffer.from(strip.pixels).equals(Buffer.from(fromDensity))).toBe(true);
    expect(Buffer.from(strip.pixels).equals(Buffer.from(fromNormal))).toBe(false);
  });

  it('the engine’s loadModel hands it to the service, through the protocol’s check and the wire', async () => {
    const handlers = engineHandlers(() => {});
    const info = (await runEngineCall(handlers, 'loadModel', { dir: model })) as { latentDensity?: LatentDensity };
    expect(info.latentDensity).toEqual(result.latentDensity);
    expect((decodeFrame(encodeFrame(info)) as typeof info).latentDensity).toEqual(result.latentDensity);
  });

  it('a cancelled training stores none', async () => {
    const cancelledDir = join(dir.path, 'cancelled');
    const controller = new AbortController();
    const run = await train(small, {
      arch: 'mlp',
      latentDim: 3,
      epochs: 3,
      batchSize: 64,
      outDir: cancelledDir,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'checkpoint') controller.abort();
      },
    });
    run.vae.dispose();
    expect(run.cancelled).toBe(true);
    expect(run.latentDensity).toBeNull();
    expect((await readManifest(cancelledDir)).latentDensity).toBeUndefined();
  });
});
