/**
 * train_conv_folder_vs_torch for `latentscape bench`: the app's folder-default recipe (a conv VAE of
 * 32×32 RGB with a calibrated Gaussian decoder, batch 32, Adam at the conv rate) trained for a fixed
 * number of steps on a synthetic colour set, then the same model, steps and images in PyTorch
 * (scripts/reference/torch_conv_bench.py) on the same number of threads, right after.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FOLDER_IMAGE_SIZE, suggestTraining } from '../../shared/training-defaults';
import { nativePoolThreads } from '../native-threads';
import { backendName } from '../backend';
import { nativeTensorflowVersion } from '../backend-choice';
import { createAdam } from '../kernels/adam';
import { Vae, imagesToTensor, makeConfig } from '../model/vae';
import { createTrainStep } from '../train/trainer';
import { ratio, round, withMachineState, type MachineState } from './bench-stats';
import { runReferenceScript } from './reference-python';

export const FOLDER_SIZE = FOLDER_IMAGE_SIZE;

/**
 * `count` 32×32 RGB images, HWC uint8: a two-colour gradient in a random direction behind a disc, a
 * square or a triangle of a third colour, each placed and sized at random. The same for the same seed.
 */
export function syntheticColourSet(count: number, seed = 1, side = FOLDER_SIZE): Uint8Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out = new Uint8Array(count * side * side * 3);
  for (let n = 0; n < count; n++) {
    const from = [rand() * 255, rand() * 255, rand() * 255];
    const to = [rand() * 255, rand() * 255, rand() * 255];
    const ink = [rand() * 255, rand() * 255, rand() * 255];
    const angle = rand() * 2 * Math.PI;
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    const shape = Math.floor(rand() * 3);
    const cx = side * (0.25 + 0.5 * rand());
    const cy = side * (0.25 + 0.5 * rand());
    const r = side * (0.12 + 0.2 * rand());
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const t = Math.min(1, Math.max(0, 0.5 + ((x - side / 2) * dx + (y - side / 2) * dy) / side));
        const [ax, ay] = [x + 0.5 - cx, y + 0.5 - cy];
        const inside =
          shape === 0 ? ax * ax + ay * ay < r * r : shape === 1 ? Math.abs(ax) < r && Math.abs(ay) < r : ay < r && ay > -r && Math.abs(ax) < (r - ay) / 2;
        const o = ((n * side + y) * side + x) * 3;
        for (let c = 0; c < 3; c++) out[o + c] = Math.round(inside ? ink[c] : from[c] + (to[c] - from[c]) * t);
      }
    }
  }
  return out;
}

/** The threads the engine's backend computes on: native TensorFlow's intra-op pool, one elsewhere in Node. */
export function engineThreads(backend = backendName()): number {
  if (backend !== 'tensorflow') return 1;
  return nativePoolThreads(nativeTensorflowVersion());
}

export interface ConvFolderOptions {
  steps?: number;
  warmup?: number;
  images?: number;
  reference?: boolean;
}

export interface ConvFolderRun {
  app_images_per_s: number;
  torch_images_per_s: number | string;
  ratio: number | null;
  steps: number;
  torch_steps: number | null;
  threads: number;
  torch_threads: number | null;
  torch_cpu_per_wall: number | null;
  machine: MachineState;
}

export function folderRecipe(images: number) {
  const recipe = suggestTraining({ kind: 'folder', trainCount: images, height: FOLDER_SIZE, channels: 3 });
  const config = makeConfig({
    arch: recipe.arch,
    latentDim: recipe.latentDim,
    height: FOLDER_SIZE,
    channels: 3,
    likelihood: recipe.likelihood,
    learnedScale: recipe.learnedScale,
  });
  return { recipe, config };
}

/** The app's side: `steps` timed training steps (after `warmup` untimed ones); images/s over their wall time. */
export async function timeAppSteps(
  pixels: Uint8Array,
  images: number,
  steps: number,
  warmup: number,
): Promise<{ images_per_s: number; steps: number; batch: number }> {
  const { recipe, config } = folderRecipe(images);
  const batch = recipe.batchSize;
  const vae = Vae.create(config, 1);
  const optimizer = createAdam(recipe.lr);
  const step = createTrainStep(vae, optimizer, 1);
  const xs = Array.from({ length: images / batch }, (_, b) => imagesToTensor(pixels, b * batch, batch, config));
  try {
    for (let i = 0; i < warmup; i++) await step(xs[i % xs.length], i);
    const started = performance.now();
    for (let i = 0; i < steps; i++) await step(xs[i % xs.length], 1000 + i);
    const seconds = (performance.now() - started) / 1000;
    return { images_per_s: (steps * batch) / seconds, steps, batch };
  } finally {
    tf.dispose(xs);
    optimizer.dispose();
    vae.dispose();
  }
}

/** One run: the app's steps, then PyTorch's on the same images and threads. */
export async function benchConvFolder(options: ConvFolderOptions = {}): Promise<ConvFolderRun> {
  const steps = options.steps ?? 60;
  const warmup = options.warmup ?? 3;
  const images = options.images ?? 256;
  const { recipe, config } = folderRecipe(images);
  if (images % recipe.batchSize) throw new Error(`the conv folder bench needs a whole number of batches of ${recipe.batchSize}, got ${images} images`);
  const pixels = syntheticColourSet(images);
  const threads = engineThreads();
  const work = await mkdtemp(join(tmpdir(), 'latentscape-conv-bench-'));
  try {
    await writeFile(join(work, 'pixels.u8'), pixels);
    await writeFile(join(work, 'meta.json'), JSON.stringify({ count: images, height: FOLDER_SIZE, width: FOLDER_SIZE, channels: 3 }));
    const { result, machine } = await withMachineState(async () => {
      const app = await timeAppSteps(pixels, images, steps, warmup);
      const args = ['--data', work, '--steps', String(steps), '--warmup', String(warmup), '--threads', String(threads)];
      args.push('--latent', String(config.latentDim), '--filters', config.filters.join(','), '--batch', String(recipe.batchSize), '--lr', String(recipe.lr));
      const torch = options.reference === false ? 'not run (--no-reference)' : await runReferenceScript('torch_conv_bench.py', args, 'torch');
      return { app, torch };
    });
    const { app, torch } = result;
    const torchRate = typeof torch === 'string' ? torch : Number(torch.images_per_s);
    return {
      app_images_per_s: Math.round(app.images_per_s),
      torch_images_per_s: typeof torchRate === 'string' ? torchRate : Math.round(torchRate),
      ratio: typeof torchRate === 'string' ? null : ratio(app.images_per_s, torchRate),
      steps: app.steps,
      torch_steps: typeof torch === 'string' ? null : Number(torch.steps),
      threads,
      torch_threads: typeof torch === 'string' ? null : Number(torch.threads),
      torch_cpu_per_wall: typeof torch === 'string' ? null : round(Number(torch.cpu_per_wall), 2),
      machine,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
