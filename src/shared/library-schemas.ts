/**
 * The model library's part of the contract: every model folder in the data dir's models/ plus the
 * built-in default model, and what can be done with them. The page names a model only by the id the
 * listing gave (a folder name, or DEFAULT_MODEL_ID), never by a path.
 *
 * Imports only zod, the vocabulary, the limits, base-schemas and metrics-schemas: contract.ts imports this file, so it
 * cannot import contract.ts back.
 */
import { z } from 'zod';
import { AbsolutePath, ImagesSchema } from './base-schemas';
import { MAX_MODEL_SAMPLES, MAX_TRASH_ENTRIES } from './limits';
import { SampleQualitySchema } from './metrics-schemas';
import { ArchSchema, BackgroundSchema, ChannelsSchema, ColorModeSchema, FitModeSchema, LikelihoodSchema } from './vocabulary';

const int = z.number().int();
const count = int.nonnegative();

/** The built-in default model's id (a folder name can never contain ':'). */
export const DEFAULT_MODEL_ID = 'builtin:default';

/** A model folder's name: letters, digits, space, '.', '_', '-'; not starting with '.' or a space. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9 ._-]{0,99}$/;
export const ModelNameSchema = z
  .string()
  .regex(MODEL_NAME_PATTERN, 'a model name is 1–100 letters, digits, spaces, ".", "_" or "-", not starting with "." or a space')
  .refine((s) => !s.endsWith(' ') && !s.endsWith('.'), 'a model name does not end with a space or "."');
export const ModelIdSchema = z.union([z.literal(DEFAULT_MODEL_ID), ModelNameSchema]);
/** The name the library shows ("holiday-photos · conv d32 · 3 min"): any text of one line, 1–100 characters. */
export const ModelDisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'a model name cannot be empty')
  .max(100, 'a model name is at most 100 characters')
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a model name is one line of text');

export const LibraryModelSchema = z.strictObject({
  id: ModelIdSchema,
  name: z.string(),
  /** The dataset it was trained on, as its manifest records it (null: not recorded). */
  dataset: z.strictObject({ name: z.string(), kind: z.enum(['mnist', 'folder']), path: z.string().nullable() }).nullable(),
  height: int.positive(),
  width: int.positive(),
  channels: ChannelsSchema,
  arch: ArchSchema,
  latentDim: int,
  likelihood: LikelihoodSchema,
  epochs: count,
  /** The last epoch's held-out loss (null: no epoch recorded). */
  testLoss: z.number().nullable(),
  psnrDb: z.number().nullable(),
  /** testLoss in bits per dimension (shared/headline-figures.ts): the headline; the loss in nats stays for tooltips. */
  testBpd: z.number().nullable(),
  /** Its sample distance as its manifest records it (after an app training, `prepare`, `eval --record`; absent: not measured). */
  sampleQuality: SampleQualitySchema.optional(),
  /** ISO date of the last write of the model (its manifest's updatedAt). */
  date: z.string(),
  readOnly: z.boolean(),
  /** It is the open model. */
  open: z.boolean(),
  /** Its image size and channels are those of the open dataset. */
  fitsDataset: z.boolean(),
});
export type LibraryModel = z.infer<typeof LibraryModelSchema>;

export const TrashedModelSchema = z.strictObject({
  trashId: ModelNameSchema,
  name: z.string(),
  /** ISO date it was moved to the trash (the folder's change time). */
  deletedAt: z.string(),
});
export type TrashedModel = z.infer<typeof TrashedModelSchema>;

export const libraryCalls = {
  /** Every model of the library (the default first, then the newest first), and the folders that could not be read. */
  modelsList: {
    input: z.strictObject({}),
    output: z.strictObject({ models: z.array(LibraryModelSchema), unreadable: z.array(z.strictObject({ id: z.string(), reason: z.string() })) }),
  },
  /**
   * Opens the model and the dataset it was trained on, with its preprocessing. A folder that is not
   * among the allowed places is not opened: `dataset` is 'needs-folder' and `folder` says what to
   * open once the user has chosen it (openDataset with these settings).
   */
  modelOpen: {
    input: z.strictObject({ id: ModelIdSchema }),
    output: z.strictObject({
      id: ModelIdSchema,
      dataset: z.enum(['opened', 'needs-folder', 'unknown']),
      folder: z
        .strictObject({
          path: z.string(),
          size: int.min(8).max(512).optional(),
          color: ColorModeSchema.optional(),
          fit: FitModeSchema.optional(),
          background: BackgroundSchema.optional(),
        })
        .nullable(),
    }),
  },
  /** Renames what the library shows (the id stays): the open model can be renamed too. */
  modelRename: { input: z.strictObject({ id: ModelNameSchema, name: ModelDisplayNameSchema }), output: z.strictObject({ id: ModelNameSchema }) },
  modelDuplicate: { input: z.strictObject({ id: ModelIdSchema }), output: z.strictObject({ id: ModelNameSchema }) },
  /** Moves the model folder to the data dir's trash/ (modelRestore brings it back). */
  modelDelete: { input: z.strictObject({ id: ModelNameSchema }), output: z.strictObject({ trashId: ModelNameSchema }) },
  modelRestore: { input: z.strictObject({ trashId: ModelNameSchema }), output: z.strictObject({ id: ModelNameSchema }) },
  /**
   * The model's strip of samples: `count` (default 8) images decoded from z drawn from the model's fitted
   * latent density (N(0, I) for a model without one) with a fixed seed, so the same model always shows the same strip. Cached by the service per folder and manifest
   * date (a retrained or renamed model gets a fresh strip); nothing is written into the model's folder.
   */
  modelSamples: {
    input: z.strictObject({ id: ModelIdSchema, count: z.number().int().min(1).max(MAX_MODEL_SAMPLES).optional() }),
    output: z.strictObject({ id: ModelIdSchema, images: ImagesSchema }),
  },
  /**
   * Copies a model folder the user chose into the library (the source is only read). `renamed`: its
   * folder's name was taken (or not a valid model name), so it got the free name `id`.
   */
  modelImport: { input: z.strictObject({ path: AbsolutePath }), output: z.strictObject({ id: ModelNameSchema, renamed: z.boolean() }) },
  /** Copies the model into a NEW folder named after it inside `parent` (a folder the user chose); never into an existing one. */
  modelExport: { input: z.strictObject({ id: ModelIdSchema, parent: AbsolutePath }), output: z.strictObject({ path: z.string() }) },
  /** The deleted models in the data dir's trash/, the newest first. */
  trashList: { input: z.strictObject({}), output: z.strictObject({ models: z.array(TrashedModelSchema).max(MAX_TRASH_ENTRIES) }) },
  /** Deletes for good the trash entries named (each one a trash listing gave); returns those removed. */
  trashEmpty: {
    input: z.strictObject({ trashIds: z.array(ModelNameSchema).min(1).max(MAX_TRASH_ENTRIES) }),
    output: z.strictObject({ removed: z.array(ModelNameSchema) }),
  },
} as const;
