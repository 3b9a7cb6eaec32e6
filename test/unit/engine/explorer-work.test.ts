import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atlasPage } from '../../../src/engine/data/atlas';
import { nearestImages } from '../../../src/engine/latent/nearest';
import { pointStats } from '../../../src/engine/latent/point-stats';
import { SnapshotTaker } from '../../../src/engine/train/snapshots';
import { decodePointCache, encodePointCache, readPointCache, writePointCache } from '../../../src/engine/latent/point-cache';
import { initBackend } from '../../../src/engine/backend';
import * as tf from '@tensorflow/tfjs-core';
import { Vae, imagesToTensor, makeConfig } from '../../../src/engine/model/vae';
import type { Bernoulli } from '../../../src/engine/model/distributions';
import type { Dataset } from '../../../src/engine/data/dataset';
import { ATLAS_COLUMNS, ATLAS_PAGE_SIZE } from '../../../src/shared/explorer-schemas';
import { describeEngine } from '../../engine-suite';

describeEngine('explorer-work', () => {
  function dataset(count: number, size: number, channels: 1 | 3 = 1): Dataset {
    const pixels = new Uint8Array(count * size * size * channels);
    for (let i = 0; i < count; i++) for (let p = 0; p < size * size * channels; p++) pixels[i * size * size * channels + p] = (i * 7 + p * 3) % 256;
    const train = Uint32Array.from({ length: Math.floor(count * 0.8) }, (_, i) => i);
    const test = Uint32Array.from({ length: count - train.length }, (_, i) => train.length + i);
    return {
      name: 'synthetic',
      source: { kind: 'mnist' } as Dataset['source'],
      height: size,
      width: size,
      channels,
      count,
      pixels,
      labels: Int32Array.from({ length: count }, (_, i) => i % 3),
      labelNames: ['a', 'b', 'c'],
      split: { train, test },
      fingerprint: 'fp',
    } as Dataset;
  }

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  describe('the explorer engine', () => {
    it('atlas pages hold each image at its cell, and downscale big images with a box filter', () => {
      const d = dataset(ATLAS_PAGE_SIZE + 10, 28);
      const page1 = atlasPage(d, 1);
      expect(page1).toMatchObject({ page: 1, first: ATLAS_PAGE_SIZE, count: 10, cols: ATLAS_COLUMNS, rows: 1, thumb: 28, channels: 1 });
      // Image first + 3, pixel (y = 5, x = 9) at cell 3 of row 0.
      const width = ATLAS_COLUMNS * 28;
      const i = ATLAS_PAGE_SIZE + 3;
      expect(page1.pixels[5 * width + 3 * 28 + 9]).toBe(d.pixels[i * 784 + 5 * 28 + 9]);
      expect(() => atlasPage(d, 2)).toThrow(/past the dataset/);
      const big = dataset(2, 64, 3);
      const a = atlasPage(big, 0);
      expect(a.thumb).toBe(32);
      // A 2×2 box of the source per thumbnail pixel.
      const src = (y: number, x: number, c: number): number => big.pixels[(y * 64 + x) * 3 + c];
      const mean = Math.round((src(0, 0, 1) + src(0, 1, 1) + src(1, 0, 1) + src(1, 1, 1)) / 4);
      expect(a.pixels[1]).toBe(mean);
    });

    it('nearest: by latent distance, among the training split when asked', async () => {
      await initBackend('wasm');
      const d = dataset(50, 28);
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 1);
      try {
        const mu = new Float32Array(50 * 2);
        for (let i = 0; i < 50; i++) mu.set([i, 0], i * 2);
        const all = await nearestImages({ z: new Float32Array([45.2, 0]), k: 3, space: 'latent', among: 'all' }, vae, d, mu);
        expect(Array.from(all.ids)).toEqual([45, 46, 44]);
        const train = await nearestImages({ z: new Float32Array([45.2, 0]), k: 3, space: 'latent', among: 'train' }, vae, d, mu);
        expect(Array.from(train.ids)).toEqual([39, 38, 37]);
        // In pixel space the decoded image is compared with each image; distances ascend.
        const px = await nearestImages({ z: new Float32Array([0.1, 0.2]), k: 5, space: 'pixel', among: 'all' }, vae, d, mu);
        expect(px.ids.length).toBe(5);
        for (let k = 1; k < 5; k++) expect(px.distances[k]).toBeGreaterThanOrEqual(px.distances[k - 1]);
      } finally {
        vae.dispose();
      }
    });

    it('point stats: per image −log p(x | z = μ) and KL(q ‖ N(0, I)) in nats, by their formulas, across slices', async () => {
      await initBackend('wasm');
      // More than one slice of 1,000 images, so the boundary is crossed.
      const d = dataset(1005, 28);
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 3 }), 2);
      try {
        const { recon, kl, rmse } = await pointStats(vae, d);
        expect(recon.length).toBe(1005);
        expect(kl.length).toBe(1005);
        expect(rmse.length).toBe(1005);
        for (const i of [0, 17, 999, 1000, 1004]) {
          // The reference: q's mean and log-variance and the decoder's logits, then the formulas by hand.
          const { mu, logvar, logits } = tf.tidy(() => {
            const q = vae.encode(imagesToTensor(d.pixels, i, 1, vae.config));
            const p = vae.decode(q.mean as tf.Tensor2D) as Bernoulli;
            return { mu: q.mean.dataSync().slice(), logvar: q.logvar.dataSync().slice(), logits: p.logits.dataSync().slice() };
          });
          let klRef = 0;
          for (let j = 0; j < mu.length; j++) klRef += 0.5 * (mu[j] * mu[j] + Math.exp(logvar[j]) - 1 - logvar[j]);
          let reconRef = 0;
          for (let p = 0; p < logits.length; p++) {
            const l = logits[p];
            const x = d.pixels[i * 784 + p] / 255;
            // −[x log σ(l) + (1 − x) log(1 − σ(l))] = softplus(l) − x·l
            reconRef += Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - x * l;
          }
          expect(Math.abs(kl[i] - klRef)).toBeLessThan(1e-4 * Math.max(1, klRef));
          expect(Math.abs(recon[i] - reconRef)).toBeLessThan(1e-4 * reconRef);
          // The legend's error: the image shown is sigmoid(logits); RMS of the difference in levels of 255.
          let squares = 0;
          for (let p = 0; p < logits.length; p++) squares += (d.pixels[i * 784 + p] / 255 - 1 / (1 + Math.exp(-logits[p]))) ** 2;
          const rmseRef = 255 * Math.sqrt(squares / logits.length);
          expect(Math.abs(rmse[i] - rmseRef)).toBeLessThan(1e-3 * rmseRef);
        }
        // Different images, different values (not one number for all).
        expect(new Set(Array.from(recon.subarray(0, 10))).size).toBeGreaterThan(5);
        expect(new Set(Array.from(rmse.subarray(0, 10))).size).toBeGreaterThan(5);
      } finally {
        vae.dispose();
      }
    });

    it('snapshots: the first step, then at most every interval and at every epoch end', async () => {
      await initBackend('wasm');
      const d = dataset(40, 28);
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 5 }), 2);
      const events: { view: Float32Array; count: number; projection: string }[] = [];
      const taker = new SnapshotTaker(d, (e) => events.push(e), 10, 60_000);
      try {
        await taker.step({ vae, epoch: 1, step: 1, last: false });
        await taker.step({ vae, epoch: 1, step: 2, last: false });
        await taker.step({ vae, epoch: 1, step: 3, last: true });
        expect(events.length).toBe(2);
        expect(events[0]).toMatchObject({ count: 10, projection: 'pca' });
        expect(events[0].view.length).toBe(30);
      } finally {
        vae.dispose();
      }
    });

    it('the point cache round-trips and refuses other weights or data', async () => {
      const key = { weightsSha256: 'a'.repeat(64), fingerprint: 'f', count: 3, latentDim: 2 };
      const data = { mu: new Float32Array([1, 2, 3, 4, 5, 6]), recon: new Float32Array([7, 8, 9]), kl: null };
      const bytes = encodePointCache(key, data);
      const back = decodePointCache(bytes, key)!;
      expect(Array.from(back.mu)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(back.recon!)).toEqual([7, 8, 9]);
      expect(back.kl).toBeNull();
      expect(decodePointCache(bytes, { ...key, weightsSha256: 'b'.repeat(64) })).toBeNull();
      expect(decodePointCache(bytes, { ...key, fingerprint: 'g' })).toBeNull();
      expect(decodePointCache(bytes.subarray(0, 20), key)).toBeNull();
      // The RMS error travels too; a file written before it existed still gives μ, and no error (so it is measured again).
      expect(back.rmse).toBeNull();
      const withRmse = decodePointCache(encodePointCache(key, { ...data, kl: new Float32Array([1, 1, 1]), rmse: new Float32Array([0.5, 12, 255]) }), key)!;
      expect(Array.from(withRmse.rmse!)).toEqual([0.5, 12, 255]);
      expect(Array.from(withRmse.recon!)).toEqual([7, 8, 9]);
      expect(decodePointCache(encodePointCache(key, { ...data, rmse: new Float32Array([1, 2]) }), key)).toBeNull();
      const dir = mkdtempSync(join(tmpdir(), 'latentscape-points-'));
      dirs.push(dir);
      expect(await writePointCache(dir, key, data)).toBe(true);
      expect(Array.from((await readPointCache(dir, key))!.mu)).toEqual([1, 2, 3, 4, 5, 6]);
      writeFileSync(join(dir, 'points.bin'), 'garbage');
      expect(await readPointCache(dir, key)).toBeNull();
      // A folder that cannot be written to: no error, just no cache.
      expect(await writePointCache(join(dir, 'missing', 'deeper'), key, data)).toBe(false);
    });
  });
});
