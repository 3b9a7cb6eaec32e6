/**
 * The distributions of VAE.md. Every method returns new tensors; callers own them (use tf.tidy).
 * Sums run over every axis but the first, so results are per example.
 */
import * as tf from '@tensorflow/tfjs-core';

export const LOG_2PI = Math.log(2 * Math.PI);

/** Sums over every axis but the first: one number per example. */
export function sumPerExample(t: tf.Tensor): tf.Tensor1D {
  if (t.rank === 1) return t as tf.Tensor1D;
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return tf.sum(t, axes) as tf.Tensor1D;
}

export class DiagonalGaussian {
  constructor(
    readonly mean: tf.Tensor,
    readonly logvar: tf.Tensor,
  ) {}

  /** Reparameterised: z = μ + exp(½·logvar) ⊙ ε, ε ~ N(0, I). σ, not σ², multiplies ε. */
  sample(seed?: number): tf.Tensor {
    const eps = tf.randomNormal(this.mean.shape, 0, 1, 'float32', seed);
    return tf.add(this.mean, tf.mul(tf.exp(tf.mul(this.logvar, 0.5)), eps));
  }

  /** KL(q ‖ N(0, I)) = ½ Σ (exp(logvar) + μ² − 1 − logvar), per example. */
  klToStdNormal(): tf.Tensor1D {
    const terms = tf.sub(tf.sub(tf.add(tf.exp(this.logvar), tf.square(this.mean)), 1), this.logvar);
    return tf.mul(sumPerExample(terms), 0.5);
  }

  /** log N(x; μ, diag(exp(logvar))) = −½ Σ ((x−μ)²/exp(logvar) + logvar + log 2π), per example. */
  logProb(x: tf.Tensor): tf.Tensor1D {
    const sq = tf.div(tf.square(tf.sub(x, this.mean)), tf.exp(this.logvar));
    return tf.mul(sumPerExample(tf.add(tf.add(sq, this.logvar), LOG_2PI)), -0.5);
  }

  nll(x: tf.Tensor): tf.Tensor1D {
    return tf.neg(this.logProb(x));
  }

  mode(): tf.Tensor {
    return this.mean;
  }
}

/** log N(z; 0, I), per example. */
export function stdNormalLogProb(z: tf.Tensor): tf.Tensor1D {
  return tf.mul(sumPerExample(tf.add(tf.square(z), LOG_2PI)), -0.5);
}

/** Independent Bernoulli pixels parameterised by logits ℓ. */
export class Bernoulli {
  constructor(readonly logits: tf.Tensor) {}

  /** Σ x·ℓ − softplus(ℓ), with softplus(ℓ) = max(ℓ, 0) + log(1 + exp(−|ℓ|)) for stability. */
  logProb(x: tf.Tensor): tf.Tensor1D {
    const softplus = tf.add(tf.relu(this.logits), tf.log1p(tf.exp(tf.neg(tf.abs(this.logits)))));
    return sumPerExample(tf.sub(tf.mul(x, this.logits), softplus));
  }

  nll(x: tf.Tensor): tf.Tensor1D {
    return tf.neg(this.logProb(x));
  }

  mode(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }
}

/**
 * A Gaussian whose variance exp(logvar) is one scalar shared by every pixel (the decoder's learned
 * scale): the same density as a DiagonalGaussian with that logvar everywhere, computed as
 * −½ (Σ(x−μ)²·exp(−logvar) + D·(logvar + log 2π)) so no image-sized variance tensor is built, divided
 * and summed (on wasm those passes were a few percent of a training step).
 */
export class SharedScaleGaussian {
  constructor(
    readonly mean: tf.Tensor,
    /** Shape [1]. */
    readonly logvar: tf.Tensor,
  ) {}

  logProb(x: tf.Tensor): tf.Tensor1D {
    const pixels = this.mean.shape.slice(1).reduce((a, b) => a * b, 1);
    const squared = sumPerExample(tf.square(tf.sub(x, this.mean)));
    const weighted = tf.mul(squared, tf.exp(tf.neg(this.logvar)));
    return tf.mul(tf.add(weighted, tf.mul(tf.add(this.logvar, LOG_2PI), pixels)), -0.5);
  }

  nll(x: tf.Tensor): tf.Tensor1D {
    return tf.neg(this.logProb(x));
  }

  mode(): tf.Tensor {
    return this.mean;
  }
}

/** The decoder's likelihood p(x|z): Bernoulli or a Gaussian with fixed or learned variance. */
export type Likelihood = Bernoulli | DiagonalGaussian | SharedScaleGaussian;
