/**
 * One tiny run of each `*_vs_*` figure: the JSON shape, and that both sides ran (the reference
 * reports the same steps / images). No timing is asserted. Without the Python package a reference
 * needs, the figure carries the reason instead of a number.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { benchConvFolder } from '../../../../src/engine/bench-figures/conv-folder-bench';
import { benchIngestVsPillow } from '../../../../src/engine/bench-figures/ingest-vs-pillow';
import { useTestBackend } from '../../helpers';

const saved = process.env.LATENTSCAPE_REFERENCE_PYTHON;
afterEach(() => {
  if (saved === undefined) delete process.env.LATENTSCAPE_REFERENCE_PYTHON;
  else process.env.LATENTSCAPE_REFERENCE_PYTHON = saved;
});

const pythonWith = (module: string): string | undefined =>
  ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', `import ${module}`], { timeout: 60_000 }).status === 0);
const torchPython = pythonWith('torch');
const pillowPython = pythonWith('PIL');

beforeAll(async () => {
  await useTestBackend();
});

describe('train_conv_folder_vs_torch', () => {
  it.skipIf(!torchPython)(`trains the same steps on both sides${torchPython ? '' : ' (skipped: no Python here imports torch)'}`, async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = torchPython;
    const before = tf.memory().numTensors;
    const run = await benchConvFolder({ steps: 2, warmup: 1, images: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(run.steps).toBe(2);
    expect(run.torch_steps).toBe(2);
    expect(run.torch_threads).toBe(run.threads);
    expect(run.app_images_per_s).toBeGreaterThan(0);
    expect(typeof run.torch_images_per_s).toBe('number');
    expect(run.ratio).toBeGreaterThan(0);
    expect(run.machine.load_before).toHaveLength(3);
  });

  it('without torch, times the app and gives the reason instead of PyTorch’s number and the ratio', async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = '/nonexistent/python3';
    const run = await benchConvFolder({ steps: 1, warmup: 0, images: 32 });
    expect(run.app_images_per_s).toBeGreaterThan(0);
    expect(run.torch_images_per_s).toMatch(/^unavailable \(no Python with torch: /);
    expect(run.ratio).toBeNull();
    expect(run.torch_steps).toBeNull();
  });

  it('refuses an image count that is not a whole number of batches', async () => {
    await expect(benchConvFolder({ steps: 1, images: 40 })).rejects.toThrow(/whole number of batches of 32, got 40/);
  });
});

describe('ingest_vs_pillow', () => {
  it.skipIf(!pillowPython)(`decodes the same files on both sides${pillowPython ? '' : ' (skipped: no Python here imports PIL)'}`, async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = pillowPython;
    const run = await benchIngestVsPillow({ images: 12 });
    expect(run.app_loaded).toBe(12);
    expect(run.pillow_images).toBe(12);
    expect(typeof run.pillow_images_per_s).toBe('number');
    expect(run.ratio).toBeGreaterThan(0);
    expect(run.processes).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!pillowPython)(`photo-sized JPEGs: the same files on both sides${pillowPython ? '' : ' (skipped: no Python here imports PIL)'}`, async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = pillowPython;
    const run = await benchIngestVsPillow({ images: 3, side: 1200 });
    expect(run.side).toBe(1200);
    expect(run.app_loaded).toBe(3);
    expect(run.pillow_images).toBe(3);
    expect(run.ratio).toBeGreaterThan(0);
  });

  it('without Pillow, gives the reason instead of Pillow’s number and the ratio', async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = '/nonexistent/python3';
    const run = await benchIngestVsPillow({ images: 4 });
    expect(run.app_loaded).toBe(4);
    expect(run.pillow_images_per_s).toMatch(/^unavailable \(no Python with Pillow: /);
    expect(run.ratio).toBeNull();
  });
});
