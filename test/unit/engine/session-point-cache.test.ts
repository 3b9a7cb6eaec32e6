/** The engine session's point statistics: a points.bin from before the RMS error is not taken as complete. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, makeConfig } from '../../../src/engine/model/vae';
import { EngineSession } from '../../../src/engine/session';
import { readManifest, saveModel } from '../../../src/engine/train/checkpoint';
import { readPointCache, writePointCache } from '../../../src/engine/latent/point-cache';
import { tempDir, useTestBackend } from '../helpers';

let root: { path: string; cleanup: () => Promise<void> };
let images: string;
let model: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  await useTestBackend();
  root = await tempDir('ls-session-points-');
  process.env.XDG_CACHE_HOME = join(root.path, 'cache'); // the ingest cache stays in the temp folder
  images = join(root.path, 'images');
  await mkdir(images);
  for (let i = 0; i < 6; i++) {
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40 * i, g: 100, b: 200 - 30 * i } } })
      .png()
      .toFile(join(images, `${i}.png`));
  }
  model = join(root.path, 'model');
  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, height: 8, channels: 3 }), 3);
  await saveModel(model, vae, {});
  vae.dispose();
});
afterAll(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await root?.cleanup();
});

async function openSession(): Promise<{ session: EngineSession; count: number; fingerprint: string }> {
  const session = new EngineSession(() => {});
  await session.loadModel({ dir: model });
  const summary = await session.openDataset({ kind: 'folder', path: images, size: 8, color: 'rgb' });
  return { session, count: summary.count, fingerprint: summary.fingerprint };
}

describe('EngineSession.pointStats and points.bin', () => {
  it('measures again when points.bin has no RMS error, and stores it', async () => {
    const { session, count, fingerprint } = await openSession();
    const { mu } = await session.embed();
    const key = { weightsSha256: (await readManifest(model)).weights.sha256, fingerprint, count, latentDim: 2 };
    // A file as an older version wrote it: μ, recon and KL, no RMS error (recon made up, to be told apart).
    const stale = new Float32Array(count).fill(42);
    expect(await writePointCache(model, key, { mu: Float32Array.from(mu), recon: stale, kl: stale })).toBe(true);

    const { session: again } = await openSession();
    const stats = await again.pointStats();
    expect(stats.rmse.length).toBe(count);
    expect(Array.from(stats.rmse).every((v) => v > 0 && v < 255)).toBe(true);
    expect(Array.from(stats.recon)).not.toContain(42);
    // The file is written in the background: wait for it (a bounded poll, not a timing).
    let stored = await readPointCache(model, key);
    for (let tries = 0; tries < 100 && !stored?.rmse; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await readPointCache(model, key);
    }
    expect(stored?.rmse?.length).toBe(count);
  });
});
