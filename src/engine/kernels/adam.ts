/**
 * Adam with one fused update kernel per variable on the wasm and native TensorFlow backends.
 *
 * Why: tfjs's AdamOptimizer launches ~12 elementwise kernels per variable per step (mul, add,
 * square, div, sqrt …), each a pass over the weights plus a temporary tensor; on wasm, with small
 * models, that is a sizeable share of a training step. The kernel here does the same arithmetic in
 * one SIMD loop over the wasm heap (adam-flushed.wat) and writes the new value and both moments at once.
 *
 * It rounds every intermediate to float32 in the order tfjs computes it, and flushes subnormal
 * results to zero as TensorFlow's CPU kernels do, so it is bit-for-bit the update of tf.train.adam on
 * native TensorFlow. On wasm it is too, except that tfjs-wasm keeps subnormal moments: x86 computes
 * them ~100x slower, and they slowed a default MNIST run's epochs from 6.0 to 10.3 s by the third
 * (the moments of weights whose gradient went to zero decay through the subnormal range). The weights
 * come out the same: a subnormal moment's step is far below half an ulp of any weight that is not
 * itself nearly zero (checked in test/unit/engine/kernels/adam.test.ts).
 * State, names, getWeights/setWeights (checkpoints and resume) are tf.AdamOptimizer's. On native
 * TensorFlow the same wasm loop runs on copies, the moments kept on its memory between steps
 * (adam-staged.ts; getWeights brings tfjs's moment variables up to date first). Other
 * backends run the inherited update; the JavaScript loop below is the reference (cpu kernel, and the
 * fallback wherever kernels.wat cannot be instantiated).
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamConstantArgs, StagedAdam, type AdamConstants } from './adam-staged';
import { heapKernels, type CpuBackendLike, type WasmBackendLike } from './heap';

export const ADAM_UPDATE = 'LatentscapeAdamUpdate';

interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ, already rounded to float32 as tfjs computes them. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

const f32 = Math.fround;

/** The update, in place on value/m/v arrays (which may alias the inputs' copies). */
export function adamUpdateInto(
  value: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  outValue: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  a: AdamAttrs,
): void {
  const { b1, c1, b2, c2, eps, negLr, d1, d2 } = constants(a);
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    // newM = m·β₁ + g·(1−β₁); newV = v·β₂ + g²·(1−β₂)
    const m1 = f32(f32(m[i] * b1) + f32(g * c1));
    const v1 = f32(f32(v[i] * b2) + f32(f32(g * g) * c2));
    // value += (m̂ / (√v̂ + ε)) · (−lr), with m̂ = newM / (1−β₁ᵗ), v̂ = newV / (1−β₂ᵗ)
    const mHat = f32(m1 / d1);
    const vHat = f32(v1 / d2);
    const step = f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + eps)) * negLr);
    outValue[i] = step + value[i];
    outM[i] = m1;
    outV[i] = v1;
  }
}

/** The float32 constants of the update, as tfjs's scalar tensors hold them. */
function constants(a: AdamAttrs): AdamConstants {
  return {
    b1: f32(a.beta1),
    c1: f32(1 - a.beta1),
    b2: f32(a.beta2),
    c2: f32(1 - a.beta2),
    eps: f32(a.epsilon),
    negLr: f32(-a.learningRate),
    d1: f32(a.oneMinusAccBeta1),
    d2: f32(a.oneMinusAccBeta2),
  };
}

let registered = false;

function registerAdamKernel(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(ADAM_UPDATE, 'wasm')) {
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wasm = backend as unknown as WasmBackendLike;
        const { value, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
        // Allocate first: a heap that grows detaches views taken earlier.
        const outs = [0, 1, 2].map(() => wasm.makeOutput(value.shape, 'float32'));
        const a = attrs as unknown as AdamAttrs;
        const heap = heapKernels(backend);
        if (heap) {
          const c = constants(a);
          const [ov, om, os] = outs.map((t) => heap.offset(t));
          const n = value.shape.reduce((p, q) => p * q, 1);
          heap.adam(heap.offset(value), heap.offset(gradient), heap.offset(m), heap.offset(v), ov, om, os, n, ...adamConstantArgs(c));
        } else {
          const [ov, om, os] = outs.map((t) => wasm.typedArrayFromHeap(t));
          const view = (t: tf.TensorInfo): Float32Array => wasm.typedArrayFromHeap(t);
          adamUpdateInto(view(value), view(gradient), view(m), view(v), ov, om, os, a);
        }
        return outs;
      },
    });
  }
  if (!tf.getKernel(ADAM_UPDATE, 'cpu')) {
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const cpu = backend as unknown as CpuBackendLike;
        const { value, gradient, m, v } = inputs as Record<string, tf.TensorInfo>;
        const view = (t: tf.TensorInfo): Float32Array => cpu.data.get(t.dataId).values;
        const n = view(value).length;
        const [ov, om, os] = [0, 1, 2].map(() => new Float32Array(n));
        adamUpdateInto(view(value), view(gradient), view(m), view(v), ov, om, os, attrs as unknown as AdamAttrs);
        return [ov, om, os].map((values) => cpu.makeTensorInfo(value.shape, 'float32', values));
      },
    });
  }
}

/** The variables' names in the order tfjs indexes their moments by. */
function variableNames(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): string[] {
  return Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
}

/** Backends where 'auto' runs the fused update: wasm's kernel above, and adam-staged.ts on native TensorFlow. */
const FUSED_BY_DEFAULT = new Set(['wasm', 'tensorflow']);

/** The parts of tf.AdamOptimizer's state that the fused update reads and writes. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

export type AdamMode = 'auto' | 'plain' | 'fused';

/** tf.AdamOptimizer whose update runs as one fused kernel per variable on wasm and tensorflow ('auto'). */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(
    learningRate: number,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon?: number,
    private readonly mode: AdamMode = 'auto',
  ) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** The rate of the next steps (a schedule changes it between steps; tfjs reads it at every update). */
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  private get fused(): boolean {
    return this.mode === 'fused' || (this.mode === 'auto' && FUSED_BY_DEFAULT.has(tf.getBackend()));
  }

  /** The moments on native TensorFlow (adam-staged.ts); null where it cannot run, undefined until tried. */
  private staged: StagedAdam | null | undefined;

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const backend = tf.getBackend();
    // The backend changed under a staged optimizer (tests do that): its moments go back to tfjs first.
    if (this.staged && backend !== 'tensorflow') this.unstage();
    if (this.fused && backend === 'tensorflow') {
      // Tried once: null (no wasm SIMD, or memory refused) stays null, and tfjs's own update runs.
      if (this.staged === undefined) this.staged = StagedAdam.create();
      const staged = this.staged;
      if (staged && this.reserveStaging(staged, variableGradients)) {
        this.update(variableGradients, (i, value, gradient, m, v, c) => {
          const n = value.size;
          if (!staged.has(i, n)) staged.load(i, m.dataSync() as Float32Array, v.dataSync() as Float32Array);
          // The weights are read back from TensorFlow only when something else assigned them since.
          const weights = staged.holdsWeightsOf(i, value.dataId) ? null : (value.dataSync() as Float32Array);
          value.assign(tf.tensor(staged.update(i, weights, gradient.dataSync() as Float32Array, c), value.shape));
          staged.weightsAre(i, value.dataId);
        });
        return;
      }
    }
    if (!this.fused || backend === 'tensorflow') {
      super.applyGradients(variableGradients);
      return;
    }
    registerAdamKernel();
    this.update(variableGradients, (_i, value, gradient, m, v, _c, attrs) => {
      const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, { value, gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      m.assign(newM);
      v.assign(newV);
      value.assign(newValue);
    });
  }

  /** One fused step: `updateOne` per variable with a gradient, then the bias-correction accumulators. */
  private update(
    variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0],
    updateOne: (index: number, value: tf.Variable, gradient: tf.Tensor, m: tf.Variable, v: tf.Variable, c: AdamConstants, attrs: AdamAttrs) => void,
  ): void {
    const state = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const varNames = variableNames(variableGradients);
    // 1 − β^t exactly as tfjs computes it: float32 subtraction from the float32 accumulator.
    const attrs: AdamAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      learningRate: this.learningRate,
      oneMinusAccBeta1: f32(1 - state.accBeta1.dataSync()[0]),
      oneMinusAccBeta2: f32(1 - state.accBeta2.dataSync()[0]),
    };
    const c = constants(attrs);
    tf.tidy(() => {
      varNames.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // Moments are created lazily, named and ordered as tf.AdamOptimizer does (checkpoints rely on it).
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        updateOne(i, value, gradient, state.accumulatedFirstMoment[i]!.variable, state.accumulatedSecondMoment[i]!.variable, c, attrs);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /**
   * Grows the staging memory for this step before any variable changes (a step is never half done);
   * false when it cannot (beyond wasm32's 4 GiB): the step runs tfjs's own update, moments given back.
   */
  private reserveStaging(staged: StagedAdam, variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): boolean {
    const sizes = variableNames(variableGradients).map((name) => tf.engine().registeredVariables[name]?.size ?? 0);
    try {
      staged.reserveFor(sizes);
      return true;
    } catch {
      this.unstage();
      this.staged = null;
      return false;
    }
  }

  /** Brings the tfjs moment variables up to date from the staging memory (for getWeights). */
  private syncMoments(): void {
    const staged = this.staged;
    if (!staged) return;
    const state = this as unknown as AdamState;
    tf.tidy(() => {
      for (const i of staged.indices()) {
        const moments = staged.moments(i);
        const m = state.accumulatedFirstMoment[i]?.variable;
        const v = state.accumulatedSecondMoment[i]?.variable;
        if (!moments || !m || !v) continue;
        m.assign(tf.tensor(moments[0], m.shape));
        v.assign(tf.tensor(moments[1], v.shape));
      }
    });
  }

  /** The moments back into the tfjs variables, and the staging memory forgets them. */
  private unstage(): void {
    this.syncMoments();
    this.staged?.clear();
  }

  override async getWeights(): ReturnType<tf.AdamOptimizer['getWeights']> {
    this.syncMoments();
    return super.getWeights();
  }

  override dispose(): void {
    this.staged = null;
    super.dispose();
  }

  /**
   * The bias-correction accumulators β₁ᵗ and β₂ᵗ, for checkpoints. They grow by float32
   * multiplication each step, and tfjs's setWeights recomputes them as pow(β, t), which is a
   * different float32 after a few dozen steps: saved beside getWeights()'s state and given back to
   * setWeights with it, a resumed training continues bit for bit. (getWeights itself stays tfjs's.)
   */
  biasCorrectionState(): { name: string; tensor: tf.Tensor }[] {
    const state = this as unknown as AdamState;
    return [
      { name: ACC_BETA1, tensor: state.accBeta1 },
      { name: ACC_BETA2, tensor: state.accBeta2 },
    ];
  }

  override async setWeights(weightValues: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    const acc1 = weightValues.find((w) => w.name === ACC_BETA1);
    const acc2 = weightValues.find((w) => w.name === ACC_BETA2);
    await super.setWeights(weightValues.filter((w) => w !== acc1 && w !== acc2));
    // New moments: the staging memory takes them from the tfjs variables at the next step.
    this.staged?.clear();
    // Checkpoints from before keep tfjs's pow(β, t).
    if (acc1 && acc2) {
      const state = this as unknown as AdamState;
      state.accBeta1.assign(acc1.tensor);
      state.accBeta2.assign(acc2.tensor);
    }
  }
}

/** Names of the accumulators in getWeights (and in checkpoints). */
export const ACC_BETA1 = 'adam/accBeta1';
export const ACC_BETA2 = 'adam/accBeta2';

/** Adam (lr, β₁ = 0.9, β₂ = 0.999, tfjs's ε): fused on wasm and tensorflow, tfjs's own elsewhere. */
export function createAdam(learningRate: number, mode: AdamMode = 'auto'): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999, undefined, mode);
}
