/**
 * Per-call size limits, declared once. The contract's schemas enforce them when a call's arguments
 * are parsed — in the serve host and in Electron's main process, before the service copies or
 * forwards anything — and the serve host derives its largest accepted WebSocket frame from them, so
 * no frame bigger than the largest legitimate call is ever buffered.
 *
 * Self-contained (zod only): contract.ts imports this file.
 */
import { z } from 'zod';

export const MIN_LATENT = 2;
export const MAX_LATENT = 64;
/** Parameters of a whole model (200 MB of float32; Adam keeps two more copies while training). */
export const MAX_PARAMETERS = 50_000_000;
/**
 * Activation bytes of one image's decode (engine/model/activation-bytes.ts counts them from a config's
 * shapes): a model over it is refused, whatever its parameter count, because even a one-image decode
 * would cost more than a desktop app may take.
 */
export const MAX_DECODE_IMAGE_BYTES = 128 * 1024 * 1024;
/** Activation bytes one decode or encode call may hold: the engine splits a call's images into batches under it. */
export const ACTIVATION_BUDGET_BYTES = 128 * 1024 * 1024;
/** Latent vectors one `decode` call takes (the engine decodes them in batches of ACTIVATION_BUDGET_BYTES). */
export const MAX_DECODE_VECTORS = 4096;
/** Keyframes of one path. */
export const MAX_KEYFRAMES = 1000;
/** Paths a project view keeps, and the keyframes of all of them together. */
export const MAX_VIEW_PATHS = 100;
export const MAX_VIEW_KEYFRAMES = 2 * MAX_KEYFRAMES;
/** Keyframes of the path being edited that a project or a reload keeps before "Keep path". */
export const MAX_DRAFT_KEYFRAMES = 100;
/** Bookmarks (named views) a project keeps, and the selected images one bookmark remembers. */
export const MAX_BOOKMARKS = 20;
export const MAX_BOOKMARK_SELECTION = 5000;
/**
 * Dropped images a project keeps (issue 27), each as its μ, σ, errors, neighbours and two images at the
 * model's size (what it looked like to the model, and its reconstruction), each at most this many bytes.
 */
export const MAX_KEPT_DROPPED = 24;
export const MAX_KEPT_IMAGE_BYTES = 64 * 1024;
/** A keyframe's label, a bookmark's name or search (characters). */
export const MAX_LABEL_CHARS = 200;
/** Absolute paths (characters). */
export const MAX_PATH_CHARS = 4096;
/** Images of a model's sample strip in the library (z drawn with MODEL_SAMPLES_SEED from the model's latent density, N(0, I) without one). */
export const MAX_MODEL_SAMPLES = 16;
export const DEFAULT_MODEL_SAMPLES = 8;
/** The strip's fixed seed: the same model always shows the same strip. */
export const MODEL_SAMPLES_SEED = 20_251_130;
/** Components of a model's fitted latent density (shared/latent-density.ts): a mixture of at most this many Gaussians. */
export const MAX_DENSITY_COMPONENTS = 8;
/** Residual blocks per resolution level of the conv net (engine/model/conv-arch.ts). */
export const MAX_RESIDUAL_BLOCKS = 4;
/** Free bits: a floor above this many nats per latent dimension would leave no KL gradient in any sane model. */
export const MAX_FREE_BITS = 10;
/**
 * A model folder that is imported or exported: its weights and Adam's two moments at MAX_PARAMETERS
 * (3 × 200 MB) plus room for the point caches stored beside them; and at most this many entries.
 */
export const MAX_MODEL_FOLDER_BYTES = 3 * 4 * MAX_PARAMETERS + 256 * 1024 * 1024;
export const MAX_MODEL_FOLDER_ENTRIES = 256;
/**
 * A training's time budget (seconds): at least a second, at most a day. Training stops at the end of
 * the epoch that would pass it (the engine's trainer; its rate schedule decays over the budget).
 */
export const MIN_TIME_BUDGET_SECONDS = 1;
export const MAX_TIME_BUDGET_SECONDS = 24 * 3600;
/** Deleted models one trash listing reports (the oldest beyond it are not listed). */
export const MAX_TRASH_ENTRIES = 1000;
/**
 * An image dropped on the view (one `encodeImage` call): its file's bytes. Its pixels are bounded by
 * the ingest's own caps (decode-core.mjs: 100 megapixels, 400 MB decoded) once the engine reads its header.
 */
export const MAX_ENCODE_IMAGE_BYTES = 5 * 1024 * 1024;
/** The training images shown beside an encoded image (issue 27: its 8 nearest). */
export const ENCODE_NEIGHBOURS = 8;
/** Images one selection export copies or lists (the largest dataset a folder ingest keeps is well under it). */
export const MAX_SELECTION_EXPORT = 1_000_000;
/** Bytes one selection export may copy, all files together. */
export const MAX_SELECTION_EXPORT_BYTES = 16 * 1024 * 1024 * 1024;

/** Floats of `decode`'s z: n × d for n ≤ MAX_DECODE_VECTORS, d ≤ MAX_LATENT. */
export const MAX_DECODE_FLOATS = MAX_DECODE_VECTORS * MAX_LATENT;
/** Floats of one path's keyframes: k × d (a path file may have a larger d and then fewer keyframes). */
export const MAX_KEYFRAME_FLOATS = MAX_KEYFRAMES * MAX_LATENT;
/** Floats of all keyframes of a project view. */
export const MAX_VIEW_KEYFRAME_FLOATS = MAX_VIEW_KEYFRAMES * MAX_LATENT;

/**
 * The largest frame a legitimate call can make, in bytes, with room for the JSON around the arrays.
 * The biggest calls are `decode` (MAX_DECODE_FLOATS floats) and `projectUpdate`/`projectSave` with a
 * full view: every keyframe's floats plus its source, whose label may JSON-escape to 6 bytes a
 * character, plus a few kilobytes of fixed fields per path. Checked against real encoded worst-case
 * calls by test/unit/shared/limits.test.ts.
 */
const SOURCE_JSON_BYTES = 6 * MAX_LABEL_CHARS + 64;
const PATH_FIXED_JSON_BYTES = 16 * 1024;
/** A bookmark: its selection as JSON numbers (≤ 11 bytes each), its decoded latent, name, search and camera. */
const BOOKMARK_JSON_BYTES = MAX_BOOKMARK_SELECTION * 11 + MAX_LATENT * 25 + 2 * 6 * MAX_LABEL_CHARS + 1024;
/** The kept dropped images: two images, μ and σ, the neighbours and a JSON-escaped name each; the custom axis is 5 × d numbers. */
const KEPT_BYTES =
  MAX_KEPT_DROPPED * (2 * (MAX_KEPT_IMAGE_BYTES + 128) + MAX_LATENT * 8 + ENCODE_NEIGHBOURS * 8 + 6 * 255 + 256) + 5 * MAX_LATENT * 25 + 6 * MAX_LABEL_CHARS;
const DRAFT_BYTES = MAX_DRAFT_KEYFRAMES * (MAX_LATENT * 4 + SOURCE_JSON_BYTES + 16);
const VIEW_BYTES =
  MAX_VIEW_KEYFRAME_FLOATS * 4 +
  MAX_VIEW_KEYFRAMES * (SOURCE_JSON_BYTES + 16) +
  MAX_VIEW_PATHS * PATH_FIXED_JSON_BYTES +
  MAX_BOOKMARKS * BOOKMARK_JSON_BYTES +
  DRAFT_BYTES +
  KEPT_BYTES;
const FRAME_OVERHEAD_BYTES = 64 * 1024 + 6 * MAX_PATH_CHARS;
export const MAX_CALL_FRAME_BYTES = Math.max(MAX_DECODE_FLOATS * 4, VIEW_BYTES, MAX_ENCODE_IMAGE_BYTES) + FRAME_OVERHEAD_BYTES;

/** A Float32Array of at most `max` elements (`what` names it in the refusal). */
export const boundedFloat32Array = (max: number, what: string) =>
  z
    .custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' })
    .refine((v) => !(v instanceof Float32Array) || v.length <= max, { message: `${what}: at most ${max} numbers` });
