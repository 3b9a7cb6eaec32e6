/**
 * A same-process A/B of the trainer's step: this tree's against another checkout's (`--base DIR`, e.g.
 * `git worktree add /tmp/base HEAD~1` or an exported tree with node_modules linked in), alternating one
 * step of each on the same batches, so both sides see the same moments of a shared machine. Prints the
 * kernels per step of each (exact) and the ratio of their median step times (noisy).
 * `--kernels plain,relaxed` compares instead this tree's wasm kernels.wat builds (heap.ts), the
 * first as the base (the relaxed build needs an engine with relaxed SIMD: Node ≥ 22).
 *
 *   npx tsx scripts/ab-step.ts --base /tmp/base [--steps 200] [--only mlp:128,conv:32]
 *   node24 --import tsx scripts/ab-step.ts --backend wasm --kernels plain,relaxed --only mlp:128
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { initBackend } from '../src/engine/backend';
import { kernelsBuild, selectKernelsBuild, type KernelsBuild } from '../src/engine/kernels/heap';
import { folderRecipe } from '../src/engine/bench-figures/conv-folder-bench';
import type { VaeConfig } from '../src/engine/model/vae';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    backend: { type: 'string', default: 'tensorflow' },
    steps: { type: 'string', default: '200' },
    only: { type: 'string' },
    kernels: { type: 'string' },
  },
});
if (!values.base && !values.kernels) throw new Error('--base DIR: the checkout to compare against (or --kernels plain,relaxed)');
const builds = values.kernels ? (values.kernels.split(',') as KernelsBuild[]) : [];

type Tree = {
  vae: typeof import('../src/engine/model/vae');
  trainer: typeof import('../src/engine/train/trainer');
  adam: typeof import('../src/engine/kernels/adam');
};

async function tree(root: string): Promise<Tree> {
  return {
    vae: await import(resolve(root, 'src/engine/model/vae.ts')),
    trainer: await import(resolve(root, 'src/engine/train/trainer.ts')),
    adam: await import(resolve(root, 'src/engine/kernels/adam.ts')),
  };
}

function pixels(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s >>> 24));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function side(t: Tree, config: VaeConfig, lr: number, xs: tf.Tensor4D[], build?: KernelsBuild) {
  const vae = t.vae.Vae.create(config, 1);
  const optimizer = t.adam.createAdam(lr);
  const trainStep = t.trainer.createTrainStep(vae, optimizer, 1);
  const step: typeof trainStep = (...args) => {
    if (build) selectKernelsBuild(build);
    return trainStep(...args);
  };
  for (let i = 0; i < 5; i++) await step(xs[i % xs.length], i);
  const kernels = (await tf.profile(async () => void (await step(xs[0], 99)))).kernels.length;
  return { step, kernels, times: [] as number[], dispose: () => (optimizer.dispose(), vae.dispose()) };
}

await initBackend(values.backend);
const here = await tree(resolve(import.meta.dirname, '..'));
const base = values.base ? await tree(values.base) : here;
if (builds.length) {
  for (const b of builds) {
    selectKernelsBuild(b);
    if (kernelsBuild() !== b) throw new Error(`the ${b} build of kernels.wat does not run here`);
  }
}
const steps = Number(values.steps);
const mlp = here.vae.makeConfig({ arch: 'mlp', latentDim: 20 });
const { config: conv, recipe } = folderRecipe(256);
const cases = [32, 128].flatMap((batch) => [
  { name: `mlp:${batch}`, config: mlp, batch, lr: 1e-3 },
  { name: `conv:${batch}`, config: conv, batch, lr: recipe.lr },
]);
for (const c of cases.filter((x) => !values.only || values.only.split(',').includes(x.name))) {
  const size = c.config.height * c.config.width * c.config.channels;
  const xs = Array.from({ length: 4 }, (_, b) => here.vae.imagesToTensor(pixels(c.batch * size, b + 1), 0, c.batch, c.config));
  const a = await side(base, c.config, c.lr, xs, builds[0]);
  const b = await side(here, c.config, c.lr, xs, builds[1]);
  for (let i = 0; i < steps; i++) {
    for (const s of i % 2 === 0 ? [a, b] : [b, a]) {
      const t = performance.now();
      await s.step(xs[i % xs.length], 1000 + i);
      s.times.push(performance.now() - t);
    }
  }
  const ratio = median(a.times) / median(b.times);
  console.log(
    `${c.name}: kernels/step ${a.kernels} → ${b.kernels}; median ms ${median(a.times).toFixed(2)} → ${median(b.times).toFixed(2)}; base/new time ratio ${ratio.toFixed(2)}`,
  );
  a.dispose();
  b.dispose();
  tf.dispose(xs);
}
