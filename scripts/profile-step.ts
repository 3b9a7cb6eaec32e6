/**
 * One training step, op by op (docs/PERFORMANCE.md): the kernels tfjs dispatches in the trainer's own
 * step (tf.profile: names, counts, bytes, each kernel's time as the backend measures it) and the wall
 * time of the step around them, for the MNIST MLP (784-400-20, Bernoulli) and the folder default (32²
 * RGB conv, calibrated Gaussian), at batch 32 and 128.
 *
 *   npx tsx scripts/profile-step.ts [--backend tensorflow] [--steps 200] [--json]
 *   node24 --import tsx scripts/profile-step.ts --backend wasm --kernels plain   (kernels.wat's build: heap.ts)
 *   node --cpu-prof --import tsx scripts/profile-step.ts --only mlp:128 --steps 400   (a Node CPU profile)
 *
 * Counts are exact; times depend on what else the machine runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/engine/backend';
import { createAdam } from '../src/engine/kernels/adam';
import { kernelsBuild, selectKernelsBuild, type KernelsBuild } from '../src/engine/kernels/heap';
import { Vae, imagesToTensor, makeConfig, type VaeConfig } from '../src/engine/model/vae';
import { createTrainStep } from '../src/engine/train/trainer';
import { folderRecipe } from '../src/engine/bench-figures/conv-folder-bench';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'tensorflow' },
    steps: { type: 'string', default: '200' },
    only: { type: 'string' },
    json: { type: 'boolean' },
    kernels: { type: 'string', default: 'auto' },
    profiled: { type: 'string', default: '1' },
  },
});

interface Case {
  name: string;
  config: VaeConfig;
  batch: number;
  lr: number;
}

function cases(): Case[] {
  const mlp = makeConfig({ arch: 'mlp', latentDim: 20 });
  const { config: conv, recipe } = folderRecipe(256);
  return [32, 128].flatMap((batch) => [
    { name: `mlp:${batch}`, config: mlp, batch, lr: 1e-3 },
    { name: `conv:${batch}`, config: conv, batch, lr: recipe.lr },
  ]);
}

function randomPixels(n: number, size: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(n * size);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

async function profileCase(c: Case, steps: number) {
  const vae = Vae.create(c.config, 1);
  const optimizer = createAdam(c.lr);
  // The optimizer's share: its wall time, and which of the profiled kernels it dispatched.
  const adam = { ms: 0, from: 0, to: 0 };
  const applyGradients = optimizer.applyGradients.bind(optimizer);
  const activeKernels = (): number => (tf.engine().state as unknown as { activeProfile: { kernels: unknown[] } }).activeProfile.kernels.length;
  optimizer.applyGradients = (grads) => {
    const started = performance.now();
    adam.from = activeKernels();
    applyGradients(grads);
    adam.to = activeKernels();
    adam.ms += performance.now() - started;
  };
  const step = createTrainStep(vae, optimizer, 1);
  const size = c.config.height * c.config.width * c.config.channels;
  const xs = Array.from({ length: 4 }, (_, b) => imagesToTensor(randomPixels(c.batch, size, b + 1), 0, c.batch, c.config));
  try {
    for (let i = 0; i < 5; i++) await step(xs[i % xs.length], i);
    // The step is async (it reads its loss terms back): the profile must wait for it.
    // --profiled N: the kernels of N steps, averaged per step (one step's times are one noisy sample)
    const info = await tf.profile(async () => {
      for (let i = 0; i < profiled; i++) await step(xs[i % xs.length], 99 + i);
    });
    const byName = new Map<string, { count: number; ms: number; bytes: number }>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernelMs += ms / profiled;
      const e = byName.get(k.name) ?? { count: 0, ms: 0, bytes: 0 };
      e.count += 1 / profiled;
      e.ms += ms / profiled;
      e.bytes += k.bytesAdded / profiled;
      byName.set(k.name, e);
    }
    // The profiled step's kernel times are one sample: take the wall time of many unprofiled steps.
    const adamKernels = adam.to - adam.from;
    adam.ms = 0;
    const started = performance.now();
    for (let i = 0; i < steps; i++) await step(xs[i % xs.length], 1000 + i);
    const stepMs = (performance.now() - started) / steps;
    const adamShare = adam.ms / steps / stepMs;
    // every kind in the JSON (the shares in docs/PERFORMANCE.md), the first 10 in the printout
    const top = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, values.json ? undefined : 10);
    return {
      case: c.name,
      kernels_per_step: info.kernels.length / profiled,
      distinct_kernels: byName.size,
      step_ms: stepMs,
      adam_kernels: adamKernels,
      adam_share: adamShare,
      profiled_kernel_ms: kernelMs,
      top: top.map(([name, e]) => ({ name, count: e.count, ms: e.ms, bytes: e.bytes })),
      tensors: tf.memory().numTensors,
    };
  } finally {
    tf.dispose(xs);
    optimizer.dispose();
    vae.dispose();
  }
}

const info = await initBackend(values.backend);
selectKernelsBuild(values.kernels as KernelsBuild | 'auto');
const steps = Number(values.steps);
const profiled = Number(values.profiled);
const results = [];
for (const c of cases().filter((x) => !values.only || values.only.split(',').includes(x.name))) {
  const r = await profileCase(c, steps);
  results.push(r);
  if (!values.json) {
    console.log(
      `\n${r.case} on ${info.name}: ${r.kernels_per_step} kernels/step (${r.distinct_kernels} kinds), ${r.step_ms.toFixed(2)} ms/step over ${steps} steps`,
    );
    console.log(
      `  profiled step: kernels ${r.profiled_kernel_ms.toFixed(2)} ms; Adam: ${r.adam_kernels} kernels, ${(100 * r.adam_share).toFixed(0)}% of the step's time`,
    );
    for (const t of r.top)
      console.log(`  ${t.name.padEnd(28)} ×${String(t.count).padStart(3)}  ${t.ms.toFixed(3).padStart(8)} ms  ${(t.bytes / 1024).toFixed(0).padStart(7)} KiB`);
  }
}
if (values.json) console.log(JSON.stringify({ backend: info.name, kernels: info.name === 'wasm' ? kernelsBuild() : null, steps, results }));
