import { readdir, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_DIM, describeFeatureSpace, featureFilters, featureObjective, rotateImage, trainFeatureNet } from '../../../../src/engine/quality/feature-net';
import { loadOrTrainFeatureNet } from '../../../../src/engine/quality/feature-cache';
import { tempDir, useTestBackend } from '../../helpers';
import { twoKindDataset } from './quality-data';

beforeAll(useTestBackend);

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

const quick = { epochs: 2, maxImages: 64 };

describe('feature net', () => {
  it('learns the labels when there are at least two, and says so', () => {
    const d = twoKindDataset(40);
    const { objective, classes, indices } = featureObjective(d);
    expect([objective, classes, indices.length]).toEqual(['labels', 2, 32]);
  });

  it('falls back to rotation prediction on a folder without labels, and marks it', async () => {
    const d = twoKindDataset(40, { labelled: false });
    expect(featureObjective(d)).toMatchObject({ objective: 'rotation', classes: 4 });
    const net = await trainFeatureNet(d, { seed: 0, ...quick });
    expect(net.config.objective).toBe('rotation');
    expect(describeFeatureSpace(net.config)).toMatch(/no labels/);
    net.dispose();
  });

  it('turns images by quarter turns (four are the identity)', () => {
    // 2×3 → a 3×3 square is needed for quarter turns; a 3×3 image with distinct values:
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const once = new Uint8Array(9);
    rotateImage(src, once, 3, 3, 1, 1);
    expect(Array.from(once)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    const half = new Uint8Array(9);
    rotateImage(src, half, 3, 3, 1, 2);
    expect(Array.from(half)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    let img = src;
    for (let k = 0; k < 4; k++) {
      const next = new Uint8Array(9);
      rotateImage(img, next, 3, 3, 1, 1);
      img = next;
    }
    expect(Array.from(img)).toEqual(Array.from(src));
  });

  it('downsamples to at most 8 wide with two to four conv layers', () => {
    expect(featureFilters(28)).toEqual([32, 64]);
    expect(featureFilters(32)).toEqual([32, 64]);
    expect(featureFilters(64)).toEqual([32, 64, 64]);
    expect(featureFilters(512)).toHaveLength(4);
  });

  it('is deterministic for a seed, differs for another, and leaves no tensors behind', async () => {
    const d = twoKindDataset(60);
    const before = tf.memory().numTensors;
    const features = async (seed: number): Promise<Float32Array> => {
      const net = await trainFeatureNet(d, { seed, ...quick });
      const f = await net.featuresOf(d.pixels, d.count);
      net.dispose();
      return f;
    };
    const a = await features(3);
    const b = await features(3);
    const c = await features(4);
    expect(a).toHaveLength(60 * FEATURE_DIM);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress and stops on a cancel', async () => {
    const d = twoKindDataset(60);
    const seen: number[] = [];
    const net = await trainFeatureNet(d, { seed: 0, ...quick, onProgress: (p) => seen.push(p.done / p.total) });
    net.dispose();
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(1);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = trainFeatureNet(d, { seed: 0, ...quick, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('feature net cache', () => {
  it('is written to the cache folder, reused, and never into the image folder', async () => {
    const images = `${dir.path}/images`;
    const cacheDir = `${dir.path}/cache`;
    await import('node:fs/promises').then((fs) => fs.mkdir(images));
    const d = twoKindDataset(60, { folder: images });
    const first = await loadOrTrainFeatureNet(d, { seed: 1, ...quick, cacheDir });
    const second = await loadOrTrainFeatureNet(d, { seed: 1, ...quick, cacheDir });
    expect([first.cache, second.cache]).toEqual(['miss', 'hit']);
    expect(Array.from(await second.net.featuresOf(d.pixels, 10))).toEqual(Array.from(await first.net.featuresOf(d.pixels, 10)));
    expect(await readdir(cacheDir)).toHaveLength(1);
    expect(await readdir(images)).toEqual([]);
    // Another seed or another dataset is another net.
    const other = await loadOrTrainFeatureNet(d, { seed: 2, ...quick, cacheDir });
    expect(other.cache).toBe('miss');
    first.net.dispose();
    second.net.dispose();
    other.net.dispose();
  });

  it('retrains when the cached file is damaged', async () => {
    const cacheDir = `${dir.path}/cache-damaged`;
    const d = twoKindDataset(60);
    const first = await loadOrTrainFeatureNet(d, { seed: 1, ...quick, cacheDir });
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(first.path));
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(first.path, bytes);
    const again = await loadOrTrainFeatureNet(d, { seed: 1, ...quick, cacheDir });
    expect(again.cache).toBe('miss');
    expect(Array.from(await again.net.featuresOf(d.pixels, 10))).toEqual(Array.from(await first.net.featuresOf(d.pixels, 10)));
    first.net.dispose();
    again.net.dispose();
  });

  it('does not write a cache folder that lies inside the image folder', async () => {
    const images = `${dir.path}/images-with-cache`;
    const d = twoKindDataset(60, { folder: images });
    const got = await loadOrTrainFeatureNet(d, { seed: 1, ...quick, cacheDir: `${images}/.cache` });
    expect(got.cache).toBe('miss');
    expect(await readdir(dir.path)).not.toContain('images-with-cache');
    got.net.dispose();
  });
});
