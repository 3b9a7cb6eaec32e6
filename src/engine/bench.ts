/**
 * `latentscape bench`: speed on this machine, as one JSON object. Each figure is measured here, now;
 * a figure that cannot be measured says why instead of a number.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendName } from './backend';
import { gatherImages, type Dataset } from './data/dataset';
import { createAdam } from './kernels/adam';
import { loadMnist } from './data/mnist';
import { Vae, imagesToTensor, makeConfig, type Arch } from './model/vae';
import { createTrainStep } from './train/trainer';

export interface TrainBench {
  /** batch / the median step time: robust to other processes taking the CPU for a while. */
  samples_per_s: number;
  /** steps · batch / total time, the plain average. */
  mean_samples_per_s: number;
  steps: number;
  seconds: number;
}

/**
 * Times real training steps (the trainer's own step) at batch 128 on MNIST images. The figure is
 * batch / median step time, since the machine may be shared; the plain mean is reported too.
 */
export async function benchTrain(
  arch: Arch,
  dataset: Dataset,
  options: { batch?: number; latent?: number; minSeconds?: number; maxSteps?: number; warmup?: number } = {},
): Promise<TrainBench> {
  const batch = options.batch ?? 128;
  const vae = Vae.create(makeConfig({ arch, latentDim: options.latent ?? 20, height: dataset.height, width: dataset.width, channels: dataset.channels }), 1);
  // The trainer's optimizer: Adam, fused into one update per variable on wasm and native TensorFlow.
  const optimizer = createAdam(1e-3);
  const step = createTrainStep(vae, optimizer, 1);
  const batches = 8;
  const xs = Array.from({ length: batches }, (_, b) => {
    const idx = Array.from({ length: batch }, (_, i) => dataset.split.train[(b * batch + i) % dataset.split.train.length]);
    return imagesToTensor(gatherImages(dataset, idx), 0, batch, vae.config);
  });
  try {
    for (let i = 0; i < (options.warmup ?? 3); i++) await step(xs[i % batches], i);
    const minSeconds = options.minSeconds ?? 4;
    const maxSteps = options.maxSteps ?? 400;
    const stepMs: number[] = [];
    const started = performance.now();
    while (stepMs.length < maxSteps && (performance.now() - started) / 1000 < minSeconds) {
      const t = performance.now();
      await step(xs[stepMs.length % batches], 1000 + stepMs.length);
      stepMs.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...stepMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return { samples_per_s: batch / (median / 1000), mean_samples_per_s: (stepMs.length * batch) / seconds, steps: stepMs.length, seconds };
  } finally {
    tf.dispose(xs);
    optimizer.dispose();
    vae.dispose();
  }
}

export async function benchDecode(vae: Vae, repeats = 200): Promise<{ p50_ms: number; p95_ms: number }> {
  const z = new Float32Array(vae.config.latentDim).fill(0.5);
  for (let i = 0; i < 10; i++) await vae.decodeToPixels(z, 1);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    z[0] = Math.sin(i);
    const t = performance.now();
    await vae.decodeToPixels(z, 1);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50_ms: times[Math.floor(repeats / 2)], p95_ms: times[Math.floor(repeats * 0.95)] };
}

export async function benchEmbed(vae: Vae, dataset: Dataset): Promise<{ images_per_s: number; count: number; seconds: number }> {
  await vae.embed(dataset.pixels, 1000);
  const t = performance.now();
  await vae.embed(dataset.pixels, dataset.count);
  const seconds = (performance.now() - t) / 1000;
  return { images_per_s: dataset.count / seconds, count: dataset.count, seconds };
}

export type BenchReport = Record<string, number | string | null>;

async function optional<T>(load: () => Promise<T>, onMissing: string): Promise<T | string> {
  try {
    return await load();
  } catch (err) {
    return `${onMissing}: ${(err as Error).message.split('\n')[0]}`;
  }
}

export async function runBench(progress: (stage: string) => void = () => {}, options: { reference?: boolean } = {}): Promise<BenchReport> {
  const report: BenchReport = { backend: backendName() };
  const mnist = await loadMnist();

  progress('train mlp');
  const mlp = await benchTrain('mlp', mnist);
  report.train_mlp_samples_per_s = Math.round(mlp.samples_per_s);
  report.train_mlp_mean_samples_per_s = Math.round(mlp.mean_samples_per_s);

  if (options.reference !== false) {
    progress('train mlp: PyTorch reference');
    // Optional: measured right after ours, so the ratio is of one moment of this (shared) machine.
    const torch = (await import('./bench-reference')).benchTorchReference();
    if (typeof torch === 'string') {
      report.torch_mlp_samples_per_s = torch;
    } else {
      report.torch_mlp_samples_per_s = Math.round(torch.samples_per_s);
      report.torch_threads = torch.threads;
      report.torch_cpu_per_wall = round(torch.cpu_per_wall, 2);
      report.train_mlp_vs_torch = round(mlp.samples_per_s / torch.samples_per_s, 2);
    }
  }

  progress('train conv');
  try {
    const conv = await benchTrain('conv', mnist, { minSeconds: 4, maxSteps: 100, warmup: 2 });
    report.train_conv_samples_per_s = Math.round(conv.samples_per_s);
    report.train_conv_mean_samples_per_s = Math.round(conv.mean_samples_per_s);
  } catch (err) {
    report.train_conv_samples_per_s = null;
    report.train_conv_error = `conv cannot train on ${backendName()}: ${(err as Error).message.split('\n')[0]}`;
  }

  const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 20 }), 2);
  try {
    progress('decode');
    const decode = await benchDecode(vae);
    report.decode_p50_ms = round(decode.p50_ms, 3);
    report.decode_p95_ms = round(decode.p95_ms, 3);
    progress('embed');
    const embed = await benchEmbed(vae, mnist);
    report.embed_images_per_s = Math.round(embed.images_per_s);
    report.embed_70k_seconds = round(embed.seconds, 2);
  } finally {
    vae.dispose();
  }

  progress('ingest');
  const ingest = await optional(async () => (await import('./data/ingest-bench')).benchIngest(), 'ingest bench unavailable');
  if (typeof ingest === 'string') report.ingest_images_per_s = ingest;
  else Object.assign(report, ingest);

  progress('gif');
  const gif = await optional(async () => (await import('./export/export-bench')).benchGif(), 'gif bench unavailable');
  if (typeof gif === 'string') report.gif_ms_120x256 = gif;
  else Object.assign(report, gif);

  progress('pick');
  const pick = await optional(async () => (await import('./latent/pick-bench')).benchPick(), 'pick bench unavailable');
  if (typeof pick === 'string') report.pick_ms_1m = pick;
  else Object.assign(report, pick);

  report.tensors_after = tf.memory().numTensors;
  return report;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
