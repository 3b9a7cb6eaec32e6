/**
 * The training panel's figures in the units a person reads: bits per dimension (shared/headline-figures.ts)
 * rather than nats per image. Epoch metrics carry their own bits/dim from the engine; older models'
 * metrics and the per-batch losses are converted with the image size and the decoder's likelihood.
 */
import type { EpochMetrics } from '../../shared/contract';
import { bitsPerDim, imageDims } from '../../shared/headline-figures';
import type { LikelihoodKind } from '../../shared/vocabulary';

/** What turns nats per image into bits/dim: the image's size and the decoder's likelihood. */
export interface BitsScale {
  dims: number;
  likelihood: LikelihoodKind;
}

export function bitsScale(
  image: { height: number; width: number; channels: number } | null | undefined,
  likelihood: LikelihoodKind | null | undefined,
): BitsScale | null {
  if (!image || !likelihood) return null;
  const dims = imageDims(image);
  return dims > 0 ? { dims, likelihood } : null;
}

/** A loss in nats per image as bits/dim (null when it cannot be converted). */
export function lossBits(nats: number | null | undefined, scale: BitsScale | null): number | null {
  if (nats === null || nats === undefined || !Number.isFinite(nats) || !scale) return null;
  return bitsPerDim(nats, scale.dims, scale.likelihood);
}

/** An epoch's train and test loss in bits/dim: the engine's figures, else converted. */
export function epochBits(m: EpochMetrics, scale: BitsScale | null): { train: number | null; test: number | null } {
  return { train: m.trainBpd ?? lossBits(m.trainLoss, scale), test: m.testBpd ?? lossBits(m.testLoss, scale) };
}
