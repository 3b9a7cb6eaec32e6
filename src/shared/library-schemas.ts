/**
 * The model library's part of the contract: every model folder in the data dir's models/ plus the
 * built-in default model, and what can be done with them. The page names a model only by the id the
 * listing gave (a folder name, or DEFAULT_MODEL_ID), never by a path.
 *
 * Imports only zod and the vocabulary: contract.ts imports this file, so it cannot import contract.ts back.
 */
import { z } from 'zod';
import { ArchSchema, ChannelsSchema, ColorModeSchema, FitModeSchema, LikelihoodSchema } from './vocabulary';

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
  /** ISO date of the last write of the model (its manifest's updatedAt). */
  date: z.string(),
  readOnly: z.boolean(),
  /** It is the open model. */
  open: z.boolean(),
  /** Its image size and channels are those of the open dataset. */
  fitsDataset: z.boolean(),
});
export type LibraryModel = z.infer<typeof LibraryModelSchema>;

export const TrashedModelSchema = z.strictObject({ trashId: ModelNameSchema, name: z.string() });

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
        .strictObject({ path: z.string(), size: int.min(8).max(512).optional(), color: ColorModeSchema.optional(), fit: FitModeSchema.optional() })
        .nullable(),
    }),
  },
  modelRename: { input: z.strictObject({ id: ModelNameSchema, name: ModelNameSchema }), output: z.strictObject({ id: ModelNameSchema }) },
  modelDuplicate: { input: z.strictObject({ id: ModelIdSchema }), output: z.strictObject({ id: ModelNameSchema }) },
  /** Moves the model folder to the data dir's trash/ (modelRestore brings it back). */
  modelDelete: { input: z.strictObject({ id: ModelNameSchema }), output: z.strictObject({ trashId: ModelNameSchema }) },
  modelRestore: { input: z.strictObject({ trashId: ModelNameSchema }), output: z.strictObject({ id: ModelNameSchema }) },
} as const;
