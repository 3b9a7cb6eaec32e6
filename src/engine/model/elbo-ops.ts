/**
 * The training loss's elementwise parts, each one custom-gradient op with its gradient in closed form:
 * the reparameterised sample, KL(q ‖ N(0, I)) and the reconstruction NLL of the two likelihoods
 * folders and MNIST train with (Bernoulli, and the Gaussian with one learned scale), averaged over the
 * batch.
 *
 * Why: written with tfjs's ops (distributions.ts) these are ~30 small kernels whose every input and
 * output the gradient tape clones and keeps; on wasm, with a batch of 32 small images, that bookkeeping
 * was a visible share of a training step. Here the forward kernels run untaped inside one op, and the
 * backward pass is a few kernels per op. The values are the same functions as distributions.ts (checked
 * against tf.grad of those in test/unit/engine/model/elbo-ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LOG_2PI, sumPerExample } from './distributions';

// The customGrad typings do not model a leading-tensors-then-save signature; these casts do.
type CustomGradBody = Parameters<typeof tf.customGrad>[0];

/** z = μ + exp(½·logvar) ⊙ ε for a given ε. dz/dμ = 1; dz/dlogvar = ½·σ·ε. */
export function reparameterizeWith(mean: tf.Tensor2D, logvar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((mu: tf.Tensor2D, lv: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const noise = tf.mul(tf.exp(tf.mul(lv, 0.5)), eps);
    save([noise]);
    return {
      value: tf.add(mu, noise),
      gradFunc: (dz: tf.Tensor, [noiseSaved]: tf.Tensor[]) => [dz, tf.mul(tf.mul(dz, noiseSaved), 0.5)],
    };
  }) as unknown as CustomGradBody) as unknown as (m: tf.Tensor2D, l: tf.Tensor2D) => tf.Tensor2D;
  return op(mean, logvar);
}

/** Mean over the batch of KL(q ‖ N(0, I)) = ½ Σ (exp(logvar) + μ² − 1 − logvar). */
export function klToStdNormalMean(mean: tf.Tensor2D, logvar: tf.Tensor2D): tf.Scalar {
  const batch = mean.shape[0];
  const op = tf.customGrad(((mu: tf.Tensor2D, lv: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const variance = tf.exp(lv);
    save([mu, variance]);
    const terms = tf.sub(tf.sub(tf.add(variance, tf.square(mu)), 1), lv);
    return {
      value: tf.mul(tf.mean(sumPerExample(terms)), 0.5),
      gradFunc: (dy: tf.Tensor, [muSaved, varianceSaved]: tf.Tensor[]) => {
        const perExample = tf.div(dy, batch);
        // d/dμ = μ / B; d/dlogvar = ½ (exp(logvar) − 1) / B
        return [tf.mul(muSaved, perExample), tf.mul(tf.sub(varianceSaved, 1), tf.mul(perExample, 0.5))];
      },
    };
  }) as unknown as CustomGradBody) as unknown as (m: tf.Tensor2D, l: tf.Tensor2D) => tf.Scalar;
  return op(mean, logvar);
}

/**
 * Mean over the batch of −log N(x; μ, exp(logvar)·I) with one shared logvar (shape [1]):
 * ½ (Σ(x−μ)²·exp(−logvar) + D·(logvar + log 2π)). x is data: it gets no gradient.
 */
export function sharedScaleNllMean(mean: tf.Tensor, logvar: tf.Tensor, x: tf.Tensor): tf.Scalar {
  const batch = mean.shape[0];
  const pixels = mean.size / batch;
  const op = tf.customGrad(((mu: tf.Tensor, lv: tf.Tensor, save: tf.GradSaveFunc) => {
    const diff = tf.sub(mu, x);
    const precision = tf.exp(tf.neg(lv));
    const squared = tf.sum(tf.square(diff));
    save([diff, precision, squared]);
    const value = tf.mul(tf.add(tf.div(tf.mul(squared, precision), batch), tf.mul(tf.add(lv, LOG_2PI), pixels)), 0.5);
    return {
      value: tf.reshape(value, []),
      gradFunc: (dy: tf.Tensor, [diffSaved, precisionSaved, squaredSaved]: tf.Tensor[]) => {
        // d/dμ = (μ − x)·exp(−logvar) / B; d/dlogvar = ½ (D − Σ(x−μ)²·exp(−logvar) / B)
        const dMean = tf.mul(diffSaved, tf.div(tf.mul(dy, precisionSaved), batch));
        const dLogvar = tf.mul(tf.sub(pixels, tf.div(tf.mul(squaredSaved, precisionSaved), batch)), tf.mul(dy, 0.5));
        return [dMean, tf.reshape(dLogvar, lv.shape)];
      },
    };
  }) as unknown as CustomGradBody) as unknown as (m: tf.Tensor, l: tf.Tensor) => tf.Scalar;
  return op(mean, logvar);
}

/** Mean over the batch of −log Bernoulli(x; sigmoid(ℓ)) = Σ softplus(ℓ) − x·ℓ. x is data. */
export function bernoulliNllMean(logits: tf.Tensor, x: tf.Tensor): tf.Scalar {
  const batch = logits.shape[0];
  const op = tf.customGrad(((l: tf.Tensor, save: tf.GradSaveFunc) => {
    save([l]);
    // softplus(ℓ) = max(ℓ, 0) + log(1 + exp(−|ℓ|)), as distributions.ts computes it
    const softplus = tf.add(tf.relu(l), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
    return {
      value: tf.div(tf.sum(tf.sub(softplus, tf.mul(x, l))), batch) as tf.Scalar,
      // d/dℓ = (sigmoid(ℓ) − x) / B
      gradFunc: (dy: tf.Tensor, [lSaved]: tf.Tensor[]) => tf.mul(tf.sub(tf.sigmoid(lSaved), x), tf.div(dy, batch)),
    };
  }) as unknown as CustomGradBody) as unknown as (l: tf.Tensor) => tf.Scalar;
  return op(logits);
}

/**
 * The free-bits KL of Kingma et al. (2016): Σ_j max(λ, KL_j), with KL_j the batch mean of latent
 * dimension j's KL(q ‖ N(0, I)). A dimension whose KL is under λ nats gets no gradient from the KL term,
 * so the encoder is not pushed to switch it off. With λ = 0 it is klToStdNormalMean. It is an objective
 * only: the ELBO a run reports keeps the true KL.
 */
export function klFreeBitsMean(mean: tf.Tensor2D, logvar: tf.Tensor2D, lambda: number): tf.Scalar {
  const batch = mean.shape[0];
  const op = tf.customGrad(((mu: tf.Tensor2D, lv: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const variance = tf.exp(lv);
    const perDimension = tf.mul(tf.mean(tf.sub(tf.sub(tf.add(variance, tf.square(mu)), 1), lv), 0), 0.5);
    // Which dimensions are over the floor (and so get the KL's gradient), as 1 or 0.
    const over = tf.cast(tf.greater(perDimension, lambda), 'float32');
    save([mu, variance, over]);
    return {
      value: tf.sum(tf.maximum(perDimension, lambda)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [muSaved, varianceSaved, overSaved]: tf.Tensor[]) => {
        const perExample = tf.mul(overSaved, tf.div(dy, batch));
        // As klToStdNormalMean's, for the dimensions over the floor: μ / B and ½ (exp(logvar) − 1) / B.
        return [tf.mul(muSaved, perExample), tf.mul(tf.sub(varianceSaved, 1), tf.mul(perExample, 0.5))];
      },
    };
  }) as unknown as CustomGradBody) as unknown as (m: tf.Tensor2D, l: tf.Tensor2D) => tf.Scalar;
  return op(mean, logvar);
}
