/**
 * The engine's own paths on webgpu against cpu's, through Dawn's adapter (SwiftShader in the tests):
 * the trainer (`train`: its steps with the learned scale's calibration, the held-out ELBO and PSNR, the
 * checkpoint and the latent density fitted at its end), then embed, decode, sample and the point
 * statistics of the trained model, and the checkpoint loaded back. These read their results with
 * `await data()`; a synchronous read on webgpu under Node throws (webgpu-adapter.ts), so this file
 * fails wherever one is left.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Dataset } from '../../src/engine/data/dataset';
import { pointStats } from '../../src/engine/latent/point-stats';
import { sampleInBatches } from '../../src/engine/model/decode-batches';
import { loadModel } from '../../src/engine/train/checkpoint';
import { train } from '../../src/engine/train/trainer';
import { describeEngine } from '../engine-suite';
import { webgpuMissing } from '../webgpu-status';
import { closeWithin, onCpu } from './against-cpu';

const SIZE = 8;
const COUNT = 30;
/** Three epochs of three steps, then a held-out pass: float32 kernels differ in the last bits, and training carries the difference on. */
const RTOL = 5e-3;
const ATOL = 5e-4;

/** Colour images with some structure (a gradient per image), 24 for training and 6 held out. */
function colourDataset(): Dataset {
  const pixels = new Uint8Array(COUNT * SIZE * SIZE * 3);
  for (let i = 0; i < pixels.length; i++) {
    const image = Math.floor(i / (SIZE * SIZE * 3));
    pixels[i] = (image * 29 + (i % (SIZE * 3)) * 9 + Math.floor(i / 97) * 5) % 256;
  }
  return {
    name: 'colours',
    source: { kind: 'folder', path: '/colours' },
    height: SIZE,
    width: SIZE,
    channels: 3,
    count: COUNT,
    pixels,
    labels: new Int32Array(COUNT),
    labelNames: [],
    split: { train: Uint32Array.from({ length: 24 }, (_, i) => i), test: Uint32Array.from({ length: 6 }, (_, i) => 24 + i) },
    fingerprint: 'colours-fp',
  };
}

interface EngineNumbers {
  metrics: number[];
  density: boolean;
  mu: Float32Array;
  decoded: Uint8Array;
  sampled: Uint8Array;
  stats: Float32Array[];
  reloaded: Uint8Array;
}

/** Trains and uses a model on the active backend: plain numbers out, no tensors left. */
async function runEngine(d: Dataset): Promise<EngineNumbers> {
  const outDir = await mkdtemp(join(tmpdir(), 'ls-webgpu-engine-'));
  const { vae, metrics, latentDensity } = await train(d, {
    arch: 'conv',
    latentDim: 4,
    filters: [4, 8],
    likelihood: 'gaussian',
    learnedScale: true,
    epochs: 3,
    batchSize: 8,
    lr: 3e-3,
    seed: 5,
    outDir,
  });
  try {
    const mu = await vae.embed(d.pixels, d.count);
    const decoded = await vae.decodeToPixels(mu, d.count);
    const sampled = await sampleInBatches(vae, 5, 9);
    const { recon, kl, rmse } = await pointStats(vae, d);
    const { vae: loaded } = await loadModel(outDir);
    let reloaded: Uint8Array;
    try {
      reloaded = await loaded.decodeToPixels(mu.subarray(0, 4 * 2), 2);
    } finally {
      loaded.dispose();
    }
    const last = metrics.at(-1)!;
    return {
      metrics: [last.train_loss, last.test_loss, last.recon, last.kl, last.test_recon, last.test_kl, last.psnr_db ?? NaN],
      density: latentDensity !== null,
      mu,
      decoded,
      sampled,
      stats: [recon, kl, rmse],
      reloaded,
    };
  } finally {
    vae.dispose();
    await rm(outDir, { recursive: true, force: true });
  }
}

const expectClose = closeWithin(ATOL, RTOL);

const missing = webgpuMissing(process.env);

if (missing) {
  process.stderr.write(`[webgpu] the webgpu project's tests are skipped: ${missing}\n`);
  it.skip(`the engine on webgpu — skipped: ${missing}`, () => {});
} else {
  describeEngine(
    'the engine on webgpu',
    () => {
      it('trains through the trainer, then embeds, decodes, samples and scores points as cpu does', async () => {
        const d = colourDataset();
        const want = await onCpu(() => runEngine(d));
        const got = await runEngine(d);
        expectClose('train/test loss, recon, kl, PSNR of the last epoch', got.metrics, want.metrics);
        expect(got.density).toBe(true);
        expect(want.density).toBe(true);
        expectClose('embedded μ', got.mu, want.mu, 2e-3, 1e-2);
        // uint8 pixels: a value on a rounding boundary may land one level apart.
        expectClose('decoded pixels', got.decoded, want.decoded, 1, 0);
        expectClose('sampled pixels', got.sampled, want.sampled, 1, 0);
        expectClose('pixels decoded by the reloaded checkpoint', got.reloaded, want.reloaded, 1, 0);
        got.stats.forEach((s, i) => expectClose(`point statistic ${['recon', 'kl', 'rmse'][i]}`, s, want.stats[i], 2e-3, 1e-2));
      });
    },
    { only: { backends: ['webgpu'], why: 'webgpu only: the test computes its cpu reference itself' } },
  );
}
