/**
 * The app's words, declared once: each as a list (for loops, CLI choices and messages), its type, and
 * its zod schema. The contract, the engine protocol, the engine, the CLI and the renderer all take
 * them from here, so adding an architecture or an easing is one edit.
 *
 * Imports nothing but zod.
 */
import { z } from 'zod';

/** A tuple, for z.enum (which wants a non-empty tuple, not a readonly array). */
const choices = <T extends string>(list: readonly [T, ...T[]]) => z.enum(list as [T, ...T[]]);

// ---- The engine

/** The tfjs backends, fastest first (the order `auto` tries them; webgpu only on a real GPU). */
export const BACKEND_NAMES = ['webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BackendNameSchema = choices(BACKEND_NAMES);

/** Encoder/decoder families: a multilayer perceptron or a small convolutional net. */
export const ARCHS = ['mlp', 'conv'] as const;
export type Arch = (typeof ARCHS)[number];
export const ArchSchema = choices(ARCHS);

/** The decoder's p(x | z): Bernoulli (binary or [0, 1] pixels) or Gaussian. */
export const LIKELIHOODS = ['bernoulli', 'gaussian'] as const;
export type LikelihoodKind = (typeof LIKELIHOODS)[number];
export const LikelihoodSchema = choices(LIKELIHOODS);

/** How the conv decoder doubles its resolution: a transposed stride-2 convolution, or nearest ×2 then a 3×3 convolution (no checkerboard). */
export const DECODER_UPSAMPLES = ['transpose', 'resize-conv'] as const;
export type DecoderUpsample = (typeof DECODER_UPSAMPLES)[number];
export const DecoderUpsampleSchema = choices(DECODER_UPSAMPLES);

// Latent sizes a model can have (MIN_LATENT, MAX_LATENT) are in limits.ts with the other sizes.

/**
 * Where a random latent is drawn from: 'density' is the model's fitted density of its training means
 * (shared/latent-density.ts), 'normal' the N(0, I) prior the VAE was trained towards.
 */
export const LATENT_PRIORS = ['density', 'normal'] as const;
export type LatentPrior = (typeof LATENT_PRIORS)[number];
export const LatentPriorSchema = choices(LATENT_PRIORS);

/**
 * The steps of measuring a model's sample distance (engine/quality): training the dataset's feature net
 * (once per dataset, then cached), the training images' statistics, then the samples, the held-out floor
 * and the reconstructions.
 */
export const SAMPLE_QUALITY_STAGES = ['feature-net', 'reference', 'samples', 'floor', 'recon'] as const;
export type SampleQualityStage = (typeof SAMPLE_QUALITY_STAGES)[number];
export const SampleQualityStageSchema = choices(SAMPLE_QUALITY_STAGES);

/** Grayscale or colour images (the model's channels). */
export type Channels = 1 | 3;
export const ChannelsSchema = z.union([z.literal(1), z.literal(3)]);

/** How an image folder is read: grayscale or colour, and how a picture is fitted to a square. */
export const COLOR_MODES = ['gray', 'rgb'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];
export const ColorModeSchema = choices(COLOR_MODES);
export const FIT_MODES = ['cover', 'contain'] as const;
export type FitMode = (typeof FIT_MODES)[number];
export const FitModeSchema = choices(FIT_MODES);

/** Where the nearest images are searched: among the latent means or the pixels. */
export const NEAREST_SPACES = ['latent', 'pixel'] as const;
export type NearestSpace = (typeof NEAREST_SPACES)[number];
export const NearestSpaceSchema = choices(NEAREST_SPACES);
/** Which images the nearest are searched among: all, or only the training split (a memorization check). */
export const NEAREST_AMONG = ['all', 'train'] as const;
export type NearestAmong = (typeof NEAREST_AMONG)[number];
export const NearestAmongSchema = choices(NEAREST_AMONG);

/** The linear projections the engine fits on every point's μ (UMAP is computed in the page). */
export const LINEAR_PROJECTIONS = ['identity', 'pca'] as const;
export type LinearProjectionKind = (typeof LINEAR_PROJECTIONS)[number];
export const LinearKindSchema = choices(LINEAR_PROJECTIONS);

// ---- Paths through latent space

export const SEGMENT_MODES = ['linear', 'spherical'] as const;
export type SegmentMode = (typeof SEGMENT_MODES)[number];
export const PathModeSchema = choices(SEGMENT_MODES);
export const EASINGS = ['linear', 'ease-in', 'ease-out', 'ease-in-out'] as const;
export type Easing = (typeof EASINGS)[number];
export const EasingSchema = choices(EASINGS);
export const LOOP_MODES = ['none', 'ping-pong'] as const;
export type LoopMode = (typeof LOOP_MODES)[number];
export const LoopSchema = choices(LOOP_MODES);
export const SPACINGS = ['length', 'equal'] as const;
export type Spacing = (typeof SPACINGS)[number];
export const SpacingSchema = choices(SPACINGS);
/** Frames of a path (an export); a preview decodes at most MAX_PREVIEW_FRAMES of them. */
export const MIN_FRAMES = 2;
export const MAX_FRAMES = 10_000;

/** What an animation is exported as (chosen by the target's extension; a trailing slash: frames). */
export const EXPORT_KINDS = ['gif', 'webm', 'frames', 'sprite', 'mp4'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const ExportKindSchema = choices(EXPORT_KINDS);

// ---- The 3D view

/** A point or direction of the 3D view. */
export type Vec3 = [number, number, number];

/** The learning rate over a training run: constant, or a short warm-up and then a cosine decay over the run (engine/train/lr-schedule.ts). */
export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export const LrScheduleSchema = choices(LR_SCHEDULES);
export type LrSchedule = z.infer<typeof LrScheduleSchema>;

// ---- Image folders: what transparency is flattened onto

/**
 * What an image folder's transparent pixels are flattened onto (and `contain` pads with): white, as
 * image viewers show them, black, or a colour '#rrggbb'. Parsing and the sRGB value: shared/background.ts.
 */
export const BACKGROUND_NAMES = ['white', 'black'] as const;
export const BackgroundSchema = z.union([choices(BACKGROUND_NAMES), z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour "#rrggbb"')]);
export type Background = z.infer<typeof BackgroundSchema>;
export const DEFAULT_BACKGROUND: Background = 'white';
