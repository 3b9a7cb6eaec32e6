import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdam } from '../../../../src/engine/kernels/adam';
import { normalStream, quietly } from '../../helpers';
import { describeEngine, keepsTensors } from '../../../engine-suite';

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const next = normalStream(seed);
  return Float32Array.from({ length: n }, () => scale * next());
}

/** A few Adam steps on a small least-squares problem; returns weights and optimizer state. */
async function run(optimizer: tf.Optimizer, steps: number): Promise<{ weights: number[][]; state: Array<{ name: string; values: number[] }> }> {
  // tf.variable copies its initial value: made in a tidy, the copy is all that stays.
  const w = tf.tidy(() => tf.variable(tf.tensor2d(randomArray(12, 1), [4, 3]), true, `w${Math.random()}`));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(randomArray(3, 2)), true, `b${Math.random()}`));
  const x = tf.tensor2d(randomArray(20, 3), [5, 4]);
  const y = tf.tensor2d(randomArray(15, 4), [5, 3]);
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar, false, [w, b]);
  }
  const weights = [Array.from(w.dataSync()), Array.from(b.dataSync())];
  const saved = await optimizer.getWeights();
  const state = saved.map((s) => ({ name: s.name.replace(/^[wb][0-9.]+/, (m) => m[0]), values: Array.from(s.tensor.dataSync()) }));
  // getWeights makes 'iter' afresh; the moments are the optimizer's own (disposed with it).
  tf.dispose([w, b, x, y, saved[0].tensor]);
  optimizer.dispose();
  return { weights, state };
}

describeEngine(
  'kernels/adam',
  () => {
    afterAll(async () => {
      await tf.setBackend('wasm');
    });

    async function quietBackend(name: string): Promise<void> {
      await quietly(async () => {
        await tf.setBackend(name);
        tf.tidy(() => tf.zeros([1]).dataSync()); // the cpu backend advertises tfjs-node on first use
      });
    }

    describe('fused Adam', () => {
      it.each(['wasm', 'cpu'])('on %s: bit-for-bit the update of tf.train.adam, with the same saved state', async (backend) => {
        await quietBackend(backend);
        const want = await run(tf.train.adam(0.01), 5);
        const got = await run(createAdam(0.01, 'fused'), 5);
        expect(got.weights).toEqual(want.weights);
        expect(got.state).toEqual(want.state);
        await quietBackend('wasm');
      });

      it('on wasm: the weights of tf.train.adam even where its moments go subnormal, which it flushes to zero', async () => {
        await quietBackend('wasm');
        // Moments that decay through the subnormal range, as those of a weight whose gradient went to zero.
        const n = 4 * 300 + 3;
        const start = randomArray(n, 31, 0.05);
        const early = tf.tensor1d(randomArray(n, 32, 1e-3));
        const zero = tf.zeros([n]);
        const trace = async (make: () => tf.Optimizer): Promise<number[][]> => {
          const optimizer = make();
          const w = tf.tidy(() => tf.variable(tf.tensor1d(start), true, `decay${Math.random()}`));
          for (let step = 0; step < 900; step++) optimizer.applyGradients({ [w.name]: step < 5 ? early : zero });
          const saved = await optimizer.getWeights();
          const seen = [Array.from(w.dataSync()), ...saved.slice(1).map((s) => Array.from(s.tensor.dataSync()))];
          tf.dispose([saved[0].tensor, w]);
          optimizer.dispose();
          return seen;
        };
        const want = await trace(() => tf.train.adam(0.01));
        const got = await trace(() => createAdam(0.01, 'fused'));
        tf.dispose([early, zero]);
        const subnormal = (x: number): boolean => x !== 0 && Math.abs(x) < 2 ** -126;
        // tfjs-wasm's first moments did go subnormal: the case is one.
        expect(want[1].filter(subnormal).length).toBeGreaterThan(n / 2);
        expect(got.flat().filter(subnormal)).toEqual([]);
        expect(got[0].filter((x, j) => !Object.is(x, want[0][j])).length).toBe(0);
        // Each moment is tfjs's, or a zero where tfjs's is subnormal (of either sign: a flushed −0 times
        // β₁ plus a zero gradient's +0 is +0 a step later, as on TensorFlow).
        for (const k of [1, 2]) {
          const off = got[k].filter((x, j) => !(Object.is(x, want[k][j]) || (subnormal(want[k][j]) && x === 0)));
          expect(off.length).toBe(0);
        }
      });

      it('resumes from saved weights exactly like tf.train.adam', async () => {
        const first = createAdam(0.01);
        const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3]), true, 'resume-w'));
        const loss = (): tf.Scalar => tf.sum(tf.square(w)) as tf.Scalar;
        first.minimize(loss, false, [w]);
        const saved = await first.getWeights();
        const plain = tf.train.adam(0.01);
        const fused = createAdam(0.01);
        // setWeights copies what it is given into variables of its own: the clones are ours to dispose.
        const forPlain = saved.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) }));
        const forFused = saved.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) }));
        await plain.setWeights(forPlain);
        await fused.setWeights(forFused);
        tf.dispose([saved[0].tensor, ...forPlain.map((s) => s.tensor), ...forFused.map((s) => s.tensor)]);
        const start = Array.from(w.dataSync());
        plain.minimize(loss, false, [w]);
        const viaPlain = Array.from(w.dataSync());
        tf.tidy(() => w.assign(tf.tensor1d(start)));
        fused.minimize(loss, false, [w]);
        expect(Array.from(w.dataSync())).toEqual(viaPlain);
        tf.dispose([w]);
        [first, plain, fused].forEach((o) => o.dispose());
      });

      it('leaves no tensors behind per step', () => {
        const opt = createAdam(0.001);
        const w = tf.tidy(() => tf.variable(tf.ones([10, 10]), true, 'count-w'));
        const step = (): void => {
          opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
        };
        step();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) step();
        expect(tf.memory().numTensors).toBe(before);
        w.dispose();
        opt.dispose();
      });
    });
  },
  { only: { backends: ['wasm'], why: "checks wasm's own kernels against cpu's, switching between the two itself" } },
);

describeEngine(
  'kernels/adam on native TensorFlow',
  () => {
    it("'auto' runs the fused update (no Sqrt kernel) and stays bit for bit tf.train.adam, saved moments included", async () => {
      const profile = await tf.profile(async () => {
        await run(createAdam(0.01), 1);
      });
      expect(profile.kernelNames).toContain('BatchMatMul');
      expect(profile.kernelNames).not.toContain('Sqrt');
      // Odd sizes (12 and 3 floats: the kernel's scalar tail), several steps, the saved moments too.
      const want = await run(tf.train.adam(0.01), 7);
      const got = await run(createAdam(0.01), 7);
      expect(got.weights).toEqual(want.weights);
      expect(got.state).toEqual(want.state);
    });

    it.each([0.001, 2])('flushes subnormal numbers to zero as TensorFlow does (lr %s): weights and moments stay bit for bit tf.train.adam', async (lr) => {
      // Gradients whose squares, scaled moments and steps fall below float32's smallest normal number,
      // and weights that start subnormal, in the second half only: the kernel's blocks of ordinary
      // numbers take its fast path, the others the flushing one. 4 × 300 + 3 floats: a scalar tail too.
      const n = 4 * 300 + 3;
      const tiny = [1e-20, -1e-20, 3e-19, 1e-38, -1e-38, 2e-39, -2e-39, 0.5, -0.25, 1e-30, 0, -0];
      const ordinary = randomArray(n, 21, 0.01);
      const gradient = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? ordinary[i] : tiny[i % tiny.length] * (1 + (i % 7) / 8)));
      const start = Float32Array.from({ length: n }, (_, i) => (i >= n / 2 && i % 5 === 0 ? -1e-38 : (i % 3) * 1e-3));
      const trace = async (make: () => tf.Optimizer): Promise<number[][]> => {
        const optimizer = make();
        const w = tf.tidy(() => tf.variable(tf.tensor1d(start), true, `tiny${Math.random()}`));
        const g = tf.tensor1d(gradient);
        for (let step = 0; step < 30; step++) optimizer.applyGradients({ [w.name]: g });
        const saved = await optimizer.getWeights();
        const seen = [Array.from(w.dataSync()), ...saved.slice(1).map((s) => Array.from(s.tensor.dataSync()))];
        tf.dispose([saved[0].tensor, w, g]);
        optimizer.dispose();
        return seen;
      };
      const want = await trace(() => tf.train.adam(lr));
      const got = await trace(() => createAdam(lr));
      // Object.is: a zero's sign counts too.
      const differing = got.map((values, i) => values.filter((x, j) => !Object.is(x, want[i][j])).length);
      expect(differing).toEqual([0, 0, 0]);
      // TensorFlow did flush here: the second moment of a 1e-20 gradient is (1e-20)² · 0.001, far below normal.
      const smallestNormal = 2 ** -126;
      expect(want[2].some((x, i) => x === 0 && Math.abs(gradient[i]) > 0 && gradient[i] ** 2 * 0.001 < smallestNormal)).toBe(true);
    });

    it('is bit for bit tf.train.adam from moments, weights and gradients near the fast path’s bounds and beyond', async () => {
      // The first 1,024 floats (4 blocks) sit just inside the bounds of adam-flushed.wat's fast path
      // (gradients ≥ 2^-53, m, v and weights ≥ 2^-100, some exactly zero); the rest range over every
      // magnitude from 2^-149 to 2^20, so their blocks take the flushing path. One step from saved moments.
      const n = 4 * 512 + 1;
      const random = normalStream(41);
      const uniform = (): number => Math.abs(random()) % 1;
      const magnitude = (lo: number, hi: number): number => {
        const x = 2 ** (lo + uniform() * (hi - lo));
        return uniform() < 0.1 ? 0 : uniform() < 0.5 ? -x : x;
      };
      const inside = (i: number): boolean => i < 1024;
      const draw = (lo: number, hi: number, positive = false): Float32Array =>
        Float32Array.from({ length: n }, (_, i) => {
          const x = inside(i) ? magnitude(lo, hi) : magnitude(-149, 20);
          return positive ? Math.abs(x) : x;
        });
      const gradient = draw(-53, -40);
      const start = draw(-100, -90);
      const m = draw(-100, -90);
      // Large second moments against small first ones: steps that underflow, onto weights that are zero.
      const v = draw(-100, 60, true);
      const trace = async (make: () => tf.Optimizer): Promise<number[][]> => {
        const optimizer = make();
        const w = tf.tidy(() => tf.variable(tf.tensor1d(start), true, `edge${Math.random()}`));
        const state = [
          { name: 'iter', tensor: tf.scalar(3, 'int32') },
          { name: `${w.name}/m`, tensor: tf.tensor1d(m) },
          { name: `${w.name}/v`, tensor: tf.tensor1d(v) },
        ];
        await optimizer.setWeights(state);
        tf.dispose(state.map((s) => s.tensor));
        const g = tf.tensor1d(gradient);
        optimizer.applyGradients({ [w.name]: g });
        const saved = await optimizer.getWeights();
        const seen = [Array.from(w.dataSync()), ...saved.slice(1).map((s) => Array.from(s.tensor.dataSync()))];
        tf.dispose([saved[0].tensor, w, g]);
        optimizer.dispose();
        return seen;
      };
      // setWeights on a fresh optimizer drops nothing (tfjs's leak is of moments it already had).
      const want = await trace(() => tf.train.adam(0.01));
      const got = await trace(() => createAdam(0.01));
      const differing = got.map((values, i) => values.filter((x, j) => !Object.is(x, want[i][j])).length);
      expect(differing).toEqual([0, 0, 0]);
    });

    it('is bit for bit tf.train.adam on a variable of MLP size, with weights assigned between steps, getWeights between steps and after setWeights', async () => {
      const rows = 784;
      const cols = 401; // not a multiple of 4
      const start = randomArray(rows * cols, 7, 0.05);
      const gradients = [11, 12, 13, 14].map((seed) => tf.tensor2d(randomArray(rows * cols, seed), [rows, cols]));
      const trace = async (make: () => tf.Optimizer): Promise<number[][]> => {
        const optimizer = make();
        const w = tf.tidy(() => tf.variable(tf.tensor2d(start, [rows, cols]), true, `big${Math.random()}`));
        const seen: number[][] = [];
        const step = (g: tf.Tensor): void => {
          optimizer.applyGradients({ [w.name]: g });
          // The new weights go to TensorFlow at their first op: use them as the forward pass would.
          tf.tidy(() => tf.sum(w).dataSync());
        };
        step(gradients[0]);
        // Weights changed outside the optimizer between two steps: the next step starts from these.
        tf.tidy(() => w.assign(tf.mul(w, 0.5)));
        step(gradients[1]);
        // A checkpoint mid-run: the moments as saved, then two more steps.
        const saved = await optimizer.getWeights();
        seen.push(...saved.slice(1).map((s) => Array.from(s.tensor.dataSync())));
        const copies = saved.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) }));
        tf.dispose(saved[0].tensor);
        step(gradients[2]);
        // Resume from the checkpoint: the moments come back from setWeights, not from the last step.
        await optimizer.setWeights(copies);
        tf.dispose(copies.map((c) => c.tensor));
        step(gradients[3]);
        seen.push(Array.from(w.dataSync()));
        const after = await optimizer.getWeights();
        seen.push(...after.slice(1).map((s) => Array.from(s.tensor.dataSync())));
        tf.dispose(after[0].tensor);
        w.dispose();
        optimizer.dispose();
        return seen;
      };
      // tfjs's AdamOptimizer.setWeights replaces its moment variables without disposing the old ones.
      keepsTensors(4, "the two moments each optimizer's setWeights drops (tfjs's own leak)");
      const want = await trace(() => tf.train.adam(0.001));
      const got = await trace(() => createAdam(0.001));
      tf.dispose(gradients);
      expect(got.length).toBe(5);
      // Counted, not diffed: a failing toEqual over 314,000 floats formats them for minutes.
      const differing = got.map((values, i) => values.filter((x, j) => !Object.is(x, want[i][j])).length);
      expect(differing).toEqual([0, 0, 0, 0, 0]);
    });
  },
  { only: { backends: ['tensorflow'], why: "the fused update's native path (the other backends are checked above)" } },
);
