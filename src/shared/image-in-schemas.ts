/**
 * Images in and selections out (issue 27): any image file encoded by the open model, and the selected
 * training images exported as copies of their files or as a list.
 *
 * Imports only zod, the limits and base-schemas: contract.ts imports this
 * file (and spreads `imageInCalls` into its table), so it cannot import contract.ts back.
 */
import { z } from 'zod';
import { AbsolutePath, ImagesSchema, Uint8ArraySchema } from './base-schemas';
import { MAX_ENCODE_IMAGE_BYTES, MAX_SELECTION_EXPORT } from './limits';

const int = z.number().int();
const count = int.nonnegative();

const Float32ArrayValue = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const Int32ArrayValue = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });

/** A file name as the user's system gave it (shown in messages; never used as a path). */
const FileNameSchema = z.string().min(1).max(255);

/** One image file's bytes, bounded before anything is decoded. */
export const ImageFileSchema = z.strictObject({
  name: FileNameSchema,
  bytes: Uint8ArraySchema.refine((b) => !(b instanceof Uint8Array) || b.byteLength <= MAX_ENCODE_IMAGE_BYTES, {
    message: `the image file is larger than ${MAX_ENCODE_IMAGE_BYTES / 2 ** 20} MB`,
  }),
});

/** What the open model makes of an image file. */
export const EncodedImageSchema = z.strictObject({
  name: FileNameSchema,
  /** The mean and standard deviation of q(z|x): latentDim numbers each. */
  mu: Float32ArrayValue,
  sigma: Float32ArrayValue,
  /** The image as the model sees it (the model's size, colour, fit and background). */
  input: ImagesSchema,
  /** decode(μ): what the model makes of it. */
  reconstruction: ImagesSchema,
  /** −log p(x | z = μ) in nats, as the points' reconstruction error is measured. */
  reconNats: z.number(),
  /** The RMS difference between the image and its reconstruction, in levels of 255 (the colour legend's error). */
  rmse: z.number().min(0),
  /** The training images nearest to μ (dataset indices, latent distances), nearest first. */
  nearest: z.strictObject({ ids: Int32ArrayValue, distances: Float32ArrayValue }),
});
export type EncodedImage = z.infer<typeof EncodedImageSchema>;

export const SELECTION_EXPORT_KINDS = ['files', 'csv', 'json'] as const;
export const SelectionExportKindSchema = z.enum(SELECTION_EXPORT_KINDS);
export type SelectionExportKind = z.infer<typeof SelectionExportKindSchema>;

export const imageInCalls = {
  /**
   * Encodes one image file (any format the ingest reads, at most MAX_ENCODE_IMAGE_BYTES) with the open
   * model's preprocessing: μ, σ, its reconstruction and error, and its ENCODE_NEIGHBOURS nearest training
   * images. A file that is not an image, or too large to decode, is refused with the reason.
   */
  encodeImage: { input: ImageFileSchema, output: EncodedImageSchema },
  /**
   * The selected images (dataset indices) out of the app: 'files' copies each original file into `path`,
   * a NEW folder (an existing one is refused and nothing is written), keeping the subfolders (the labels);
   * 'csv' and 'json' write the list of files (path, label) to the file `path`.
   */
  selectionExport: {
    input: z.strictObject({
      kind: SelectionExportKindSchema,
      path: AbsolutePath,
      ids: Int32ArrayValue.refine((ids) => !(ids instanceof Int32Array) || (ids.length >= 1 && ids.length <= MAX_SELECTION_EXPORT), {
        message: `a selection export takes 1 to ${MAX_SELECTION_EXPORT} images`,
      }),
    }),
    output: z.strictObject({ kind: SelectionExportKindSchema, path: z.string(), files: count, bytes: count }),
  },
  /** Stops the selection export in progress: its temp folder is deleted and nothing is written. */
  selectionExportCancel: { input: z.strictObject({}), output: z.strictObject({ cancelled: z.boolean() }) },
} as const;

export const imageInEvents = {
  /** Files of the selection export copied so far. */
  selectionExportProgress: z.strictObject({ done: count, total: count }),
} as const;
