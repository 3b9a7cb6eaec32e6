import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherImages } from '../../../../src/engine/data/dataset';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { trainFeatureNet, type FeatureNet } from '../../../../src/engine/quality/feature-net';
import { measureSampleQuality, qualityReference, scoreImages, standardNormalSource, type LatentSource } from '../../../../src/engine/quality/sample-quality';
import { useTestBackend } from '../../helpers';
import { twoKindDataset } from './quality-data';

const d = twoKindDataset(100);
let net: FeatureNet;
let vae: Vae;
beforeAll(async () => {
  await useTestBackend();
  net = await trainFeatureNet(d, { seed: 0, epochs: 2, maxImages: 80 });
  vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: 8, hidden: 16 }), 0);
});
afterAll(() => {
  net.dispose();
  vae.dispose();
});

describe('standardNormalSource', () => {
  it('draws the same z for a seed, other z for another, with N(0, 1) moments', () => {
    const source = standardNormalSource(4);
    const z = source.draw(5000, 1);
    expect(z).toHaveLength(20000);
    expect(Array.from(source.draw(5000, 1))).toEqual(Array.from(z));
    expect(Array.from(source.draw(5000, 2))).not.toEqual(Array.from(z));
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('measureSampleQuality', () => {
  it('reports the three distances, the z source and the feature space, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const stages = new Set<string>();
    const q = await measureSampleQuality(vae, d, net, standardNormalSource(2), { onProgress: (p) => stages.add(p.stage) });
    expect(tf.memory().numTensors).toBe(before);
    expect(q).toMatchObject({ n: 20, reference_n: 80, z_source: 'N(0, I)', feature_labels: true });
    expect(q.feature_space).toMatch(/2 labels/);
    expect([...stages]).toEqual(['reference', 'samples', 'floor', 'recon']);
    // An untrained decoder's images are far from the data; held-out real images are near it.
    expect(q.floor_fd).not.toBeNull();
    expect(q.sample_fd).toBeGreaterThan(q.floor_fd as number);
    expect(q.recon_fd).toBeGreaterThan(q.floor_fd as number);
  });

  it('decodes the latents the given source draws, and names it', async () => {
    const calls: [number, number][] = [];
    const corner: LatentSource = {
      name: 'a fixed corner',
      draw: (count, seed) => {
        calls.push([count, seed]);
        return new Float32Array(count * 2).fill(3);
      },
    };
    const normal = await measureSampleQuality(vae, d, net, standardNormalSource(2));
    const q = await measureSampleQuality(vae, d, net, corner);
    expect(q.z_source).toBe('a fixed corner');
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(20);
    expect(q.sample_fd).not.toBeCloseTo(normal.sample_fd, 3);
    // The other two do not depend on the source.
    expect(q.floor_fd).toBe(normal.floor_fd);
    expect(q.recon_fd).toBe(normal.recon_fd);
  });

  it('refuses a source that draws the wrong number of values', async () => {
    const wrong: LatentSource = { name: 'short', draw: (count) => new Float32Array(count) };
    await expect(measureSampleQuality(vae, d, net, wrong)).rejects.toThrow(/"short" gave 20 values, expected 20 × 2/);
  });

  it('has no floor without held-out images', async () => {
    const noTest = { ...d, split: { train: d.split.train, test: new Uint32Array(0) } };
    const q = await measureSampleQuality(vae, noTest, net, standardNormalSource(2), { count: 30 });
    expect(q.floor_fd).toBeNull();
    expect(q.n).toBe(30);
  });

  it('stops on a cancel', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(measureSampleQuality(vae, d, net, standardNormalSource(2), { signal: controller.signal })).rejects.toThrow(/cancelled/);
  });

  it('yields between batches, so a cancel sent while it runs stops it', async () => {
    const controller = new AbortController();
    const stages: string[] = [];
    // The cancel arrives as the engine's message loop would deliver it: it lands only if the measure yields.
    const measuring = measureSampleQuality(vae, d, net, standardNormalSource(2), {
      signal: controller.signal,
      onProgress: (p) => {
        stages.push(p.stage);
        if (stages.length === 1) setImmediate(() => controller.abort());
      },
    });
    await expect(measuring).rejects.toThrow(/cancelled/);
    expect(stages).toEqual(['reference']);
  });
});

describe('scoreImages', () => {
  it('scores the reference images themselves at 0 and other images above it', async () => {
    const reference = await qualityReference(net, d);
    const same = gatherImages(d, reference.indices);
    expect(await scoreImages(net, reference, same, reference.indices.length)).toBeLessThan(1e-6);
    const flipped = same.map((v) => 255 - v);
    expect(await scoreImages(net, reference, flipped, reference.indices.length)).toBeGreaterThan(0.01);
  });
});
