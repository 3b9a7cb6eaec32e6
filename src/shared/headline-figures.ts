/**
 * The figures a person reads first: bits per dimension instead of nats per image, and a per-image
 * reconstruction error that is never negative. Nats stay in the JSON, the manifest and tooltips;
 * these are computed from them (or, for the error, sent by the engine) with the conventions below.
 * Imports only the vocabulary.
 */
import type { LikelihoodKind } from './vocabulary';

const LN2 = Math.LN2;
/** ln 256: the width of one of 256 equal bins of [0, 1] is 1/256. */
const LN256 = Math.log(256);

/** D, the dimension of an image: every pixel of every channel. */
export function imageDims(image: { height: number; width: number; channels: number }): number {
  return image.height * image.width * image.channels;
}

/**
 * Bits per dimension from a per-image negative log-likelihood (or the loss, its ELBO bound) in nats.
 *
 * Gaussian: the decoder is a continuous density over pixels in [0, 1]. Read as the probability of the
 * 8-bit image (each level a bin of width 1/256, the density about constant across it), −log₂ P(x) =
 * nll / ln 2 + D · log₂ 256, so bpd = (nll / D + ln 256) / ln 2: the figure of image-model papers,
 * about 8 for a model that knows nothing, lower is better. (A negative nll, common with a learned
 * scale, is a density above 1, not an error: its bpd is still a positive-looking number below 8.)
 *
 * Bernoulli: the decoder gives every pixel a probability of being 1, so bpd = nll / (D · ln 2). On
 * binarised images (--binarize) that is exactly −log₂ P(x) / D, at most 1. On gray levels it is the
 * cross-entropy against intensities in [0, 1], in bits: comparable between Bernoulli models only, not
 * with the Gaussian's 8-bit figure.
 */
export function bitsPerDim(nllNats: number, dims: number, likelihood: LikelihoodKind): number {
  if (!(dims > 0)) throw new Error(`bitsPerDim: the dimension must be positive, got ${dims}`);
  return likelihood === 'gaussian' ? (nllNats / dims + LN256) / LN2 : nllNats / (dims * LN2);
}

/**
 * The reconstruction error the colour legend shows: the root mean square difference between the image
 * and decode(μ) (clipped to [0, 1]), per pixel and channel, in 8-bit levels (0–255). The engine sends
 * it per point (PointStats.rmse); it relates to the per-image PSNR by psnrFromRmse.
 */
export const RECON_ERROR_UNIT = 'RMS error, levels of 255';

/** PSNR in dB of an image whose RMS error is `rmse` levels of 255 (capped at 100 dB, as the engine's). */
export function psnrFromRmse(rmse: number): number {
  return rmse <= 255e-5 ? 100 : 20 * Math.log10(255 / rmse);
}

/** What the library and the training panel read of a model's sample distance (the contract's SampleQuality). */
export interface SampleDistance {
  epoch: number;
  sampleFd: number;
  floorFd: number | null;
  reconFd: number;
  n: number;
  zSource: string;
  featureSpace: string;
  featureLabels: boolean;
}

/** The sample distance beside PSNR: "FD 8.00 (floor 0.26)"; the floor is what held-out real images score. */
export function sampleDistanceText(q: Pick<SampleDistance, 'sampleFd' | 'floorFd'>): string {
  return `FD ${q.sampleFd.toFixed(2)}${q.floorFd === null ? '' : ` (floor ${q.floorFd.toFixed(2)})`}`;
}

/** Its tooltip: what was measured against what, and in which feature space. */
export function sampleDistanceTooltip(q: SampleDistance): string {
  const floor = q.floorFd === null ? 'no held-out images for a floor' : `held-out real images ${q.floorFd.toFixed(2)} (the floor)`;
  return (
    `Fréchet distance of ${q.n} samples (${q.zSource}) to the training images at epoch ${q.epoch}; lower is closer. ` +
    `Feature space: ${q.featureSpace}. Reconstructions ${q.reconFd.toFixed(2)}, ${floor}.`
  );
}
