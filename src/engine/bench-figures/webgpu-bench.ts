/**
 * `latentscape bench --only webgpu`: the MLP training step (784-400-20, batch 128 on MNIST, as
 * `train_mlp_samples_per_s`) on the webgpu backend, named by the adapter it ran on. A software adapter
 * (SwiftShader, llvmpipe…) is the CPU emulating a GPU: its figure says so and is no GPU figure.
 * The step is the trainer's own (createTrainStep, which reads its numbers with `await data()`, the
 * only way webgpu under Node reads). The engine's backend is put back afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { chosenBackend, setChosenBackend } from '../backend-choice';
import { gatherImages } from '../data/dataset';
import { loadMnist } from '../data/mnist';
import { createAdam } from '../kernels/adam';
import { imagesToTensor, makeConfig, Vae } from '../model/vae';
import { createTrainStep } from '../train/trainer';

export interface WebgpuBenchOptions {
  batch?: number;
  minSeconds?: number;
  maxSteps?: number;
}

export type WebgpuFigures = Record<string, number | string | boolean | null>;

export async function benchWebgpu(options: WebgpuBenchOptions = {}): Promise<WebgpuFigures> {
  const previous = chosenBackend();
  try {
    const info = await initBackend('webgpu').catch((err: Error) => err);
    if (info instanceof Error) return { webgpu_train_mlp_samples_per_s: null, webgpu_skipped: info.message };
    const software = Boolean(info.adapter?.endsWith('(software)'));
    const samplesPerS = await timeMlpSteps(options);
    return {
      webgpu_train_mlp_samples_per_s: Math.round(samplesPerS),
      webgpu_adapter: info.adapter ?? null,
      webgpu_adapter_software: software,
      ...(software ? { webgpu_note: 'measured on a software adapter (the CPU emulating a GPU): not a GPU figure' } : {}),
    };
  } finally {
    if (previous) {
      await tf.setBackend(previous.name);
      setChosenBackend(previous);
    }
  }
}

/** batch / the median step time, as benchTrain measures the other backends. */
async function timeMlpSteps(options: WebgpuBenchOptions): Promise<number> {
  const batch = options.batch ?? 128;
  const mnist = await loadMnist();
  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 20, height: mnist.height, width: mnist.width, channels: mnist.channels }), 1);
  const optimizer = createAdam(1e-3);
  const idx = Array.from({ length: batch }, (_, i) => mnist.split.train[i % mnist.split.train.length]);
  const x = imagesToTensor(gatherImages(mnist, idx), 0, batch, vae.config);
  const trainStep = createTrainStep(vae, optimizer, 1);
  const step = (seed: number) => trainStep(x, seed);
  try {
    // The first steps compile the shaders.
    for (let i = 0; i < 2; i++) await step(i);
    const stepMs: number[] = [];
    const started = performance.now();
    while (stepMs.length < (options.maxSteps ?? 100) && (performance.now() - started) / 1000 < (options.minSeconds ?? 4)) {
      const t = performance.now();
      await step(1000 + stepMs.length);
      stepMs.push(performance.now() - t);
    }
    const sorted = [...stepMs].sort((a, b) => a - b);
    return batch / (sorted[Math.floor(sorted.length / 2)] / 1000);
  } finally {
    x.dispose();
    optimizer.dispose();
    vae.dispose();
  }
}
