/**
 * How a run reshapes the KL term of what it minimises, without changing the −ELBO_β it reports:
 * a KL warm-up (the weight rises from 0 to β) and free bits (model/elbo-ops.ts klFreeBitsMean).
 */
import { MAX_FREE_BITS } from '../../shared/limits';

/**
 * The KL's weight in the objective at progress p ∈ [0, 1] of the run: β, or with a warm-up over the
 * first `warmup` of the run, rising linearly from 0 (Bowman et al., 2016): the decoder learns to use z
 * before the KL term can pull q(z|x) onto the prior.
 */
export function klWeightAt(beta: number, warmup: number, progress: number): number {
  if (!(warmup > 0)) return beta;
  return beta * Math.min(1, Math.max(0, progress) / warmup);
}

export function checkKlShaping(klWarmup: number, freeBits: number): void {
  if (!Number.isFinite(klWarmup) || klWarmup < 0 || klWarmup > 1) throw new Error(`the KL warm-up is a fraction of the run from 0 to 1, got ${klWarmup}`);
  if (!Number.isFinite(freeBits) || freeBits < 0 || freeBits > MAX_FREE_BITS)
    throw new Error(`free bits must be from 0 to ${MAX_FREE_BITS} nats per latent dimension, got ${freeBits}`);
}

export { MAX_FREE_BITS };
