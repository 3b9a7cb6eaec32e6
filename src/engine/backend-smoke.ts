/**
 * The check a backend must pass before the engine chooses it: one forward pass, one gradient and
 * one Adam step of a tiny VAE (the real model and optimizer code, an MLP on 4×4 images), compared
 * with the cpu backend's numbers. A backend that loads but throws on its first op (tfjs-node on a
 * Node without `util.isNullOrUndefined`), or computes wrong numbers, fails here instead of in the
 * middle of the user's training.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createAdam } from './kernels/adam';
import { makeConfig, Vae } from './model/vae';

interface SmokeNumbers {
  loss: number;
  grads: Float32Array[];
  afterStep: Float32Array[];
}

/** float32 kernels of different libraries differ in the last bits; real faults differ by far more. */
const RTOL = 2e-3;
const ATOL = 1e-4;

const TINY_CONFIG = makeConfig({ arch: 'mlp', latentDim: 2, height: 4, width: 4, channels: 1, hidden: 8 });
const BATCH = 3;
const INIT_SEED = 11;
const SAMPLE_SEED = 5;

function tinyBatch(side: number): tf.Tensor4D {
  const values = Float32Array.from({ length: BATCH * side * side }, (_, i) => ((i * 37) % 17) / 16);
  return tf.tensor4d(values, [BATCH, side, side, 1]);
}

/**
 * Runs the three steps on the active backend and returns plain numbers (no tensors left behind).
 * Reads asynchronously: webgpu under Node can read no other way. The Adam step is the trainer's
 * (`optimizer.minimize` on the model's loss) without its synchronous read of the loss terms.
 */
async function runTinyVae(): Promise<SmokeNumbers> {
  const config = TINY_CONFIG;
  const vae = Vae.create(config, INIT_SEED);
  const optimizer = createAdam(0.01);
  const x = tinyBatch(config.height);
  try {
    const varList = [...vae.params.values()];
    const lossTensor = tf.tidy(() => vae.loss(x, 1, SAMPLE_SEED).loss);
    const loss = (await lossTensor.data())[0];
    lossTensor.dispose();
    const { value, grads } = tf.variableGrads(() => vae.loss(x, 1, SAMPLE_SEED).loss, varList);
    const gradValues = await Promise.all(varList.map(async (v) => (await grads[v.name].data()) as Float32Array));
    tf.dispose([value, ...Object.values(grads)]);
    optimizer.minimize(() => vae.loss(x, 1, SAMPLE_SEED).loss, false, varList);
    const afterStep = await Promise.all(varList.map(async (v) => (await v.data()) as Float32Array));
    return { loss, grads: gradValues, afterStep };
  } finally {
    x.dispose();
    optimizer.dispose();
    vae.dispose();
  }
}

function firstMismatch(what: string, got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `${what} has ${got.length} values, cpu ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= ATOL + RTOL * Math.abs(want[i]);
    if (!ok) return `${what}[${i}] = ${got[i]}, cpu ${want[i]}`;
  }
  return null;
}

function compare(got: SmokeNumbers, want: SmokeNumbers): string | null {
  const loss = firstMismatch('forward loss', [got.loss], [want.loss]);
  if (loss) return loss;
  for (let i = 0; i < want.grads.length; i++) {
    const g = firstMismatch(`gradient ${i}`, got.grads[i], want.grads[i]);
    if (g) return g;
  }
  for (let i = 0; i < want.afterStep.length; i++) {
    const w = firstMismatch(`weight ${i} after an Adam step`, got.afterStep[i], want.afterStep[i]);
    if (w) return w;
  }
  return null;
}

/**
 * Runs the tiny VAE on cpu, then on `name`, and compares. Leaves `name` active when it passes.
 * Returns null when it passes, else why not (one line).
 */
export async function smokeCheck(name: string): Promise<string | null> {
  if (!(await tf.setBackend('cpu'))) return 'the cpu reference backend failed to initialise';
  const want = await runTinyVae();
  if (!(await tf.setBackend(name))) return `${name} backend failed to initialise`;
  let got: SmokeNumbers;
  try {
    got = await runTinyVae();
  } catch (err) {
    return `smoke check threw: ${(err as Error).message.split('\n')[0]}`;
  }
  const mismatch = compare(got, want);
  return mismatch ? `smoke check differs from cpu: ${mismatch}` : null;
}
