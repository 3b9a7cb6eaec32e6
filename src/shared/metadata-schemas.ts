/**
 * The user's own metadata (issue 26 item 4): a CSV or Parquet file whose rows name the dataset's files,
 * with any columns. The service reads and joins it (service/metadata-read.ts, metadata-join.ts); the
 * renderer colours, filters and searches by its columns (renderer/explorer/metadata/).
 *
 * A joined column is per dataset index, like the embeddings' ids point into: numeric columns as floats
 * (NaN where an image has no row or an empty cell), the rest as categories (codes into a list, -1 none).
 *
 * Self-contained (zod, the limits and base schemas); contract.ts spreads `metadataCalls` into its table.
 */
import { z } from 'zod';
import { AbsolutePath } from './base-schemas';
import { MAX_LABEL_CHARS } from './limits';

/** A metadata file bigger than this is refused before a byte of it is read. */
export const MAX_METADATA_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_METADATA_COLUMNS = 256;
export const MAX_METADATA_ROWS = 2_000_000;
/** A column with more distinct values than this is text: searchable, not a colour or a category filter. */
export const MAX_METADATA_CATEGORIES = 256;
export const MAX_METADATA_CELL_CHARS = 1000;

const count = z.number().int().nonnegative();
const Float32ArraySchema = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' });
const Int32ArraySchema = z.custom<Int32Array>((v) => v instanceof Int32Array, { message: 'expected an Int32Array' });
const ColumnName = z.string().min(1).max(MAX_LABEL_CHARS);

export const MetadataColumnSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('numeric'),
    name: ColumnName,
    /** Per dataset index; NaN: no value. */
    values: Float32ArraySchema,
    min: z.number(),
    max: z.number(),
  }),
  z.strictObject({
    kind: z.literal('category'),
    name: ColumnName,
    categories: z.array(z.string().max(MAX_METADATA_CELL_CHARS)).max(MAX_METADATA_CATEGORIES),
    /** Per dataset index, an index into `categories`; -1: no value. */
    codes: Int32ArraySchema,
  }),
  z.strictObject({
    kind: z.literal('text'),
    name: ColumnName,
    /** Per dataset index ('' : no value). Searchable only. */
    values: z.array(z.string().max(MAX_METADATA_CELL_CHARS)),
  }),
]);
export type MetadataColumn = z.infer<typeof MetadataColumnSchema>;

export const MetadataImportSchema = z.strictObject({
  /** The file's name (not its path), as the panel shows it. */
  source: z.string().max(MAX_LABEL_CHARS),
  format: z.enum(['csv', 'parquet']),
  /** The column whose values name the dataset's files. */
  keyColumn: ColumnName,
  /** Whether the key matched relative paths ('path'), bare file names ('name') or image numbers ('index', a dataset without files). */
  matchedBy: z.enum(['path', 'name', 'index']),
  rows: count,
  /** Rows that named one of the dataset's images, and rows that named none (or a name several images share). */
  matchedRows: count,
  unmatchedRows: count,
  /** The dataset's images that got a row. */
  matchedImages: count,
  /** The dataset's image count: every column is this long. */
  imageCount: count,
  columns: z.array(MetadataColumnSchema).max(MAX_METADATA_COLUMNS),
});
export type MetadataImport = z.infer<typeof MetadataImportSchema>;

/** A numeric column's kept range (inclusive), or a category column's kept values (codes into its categories). */
export const ColumnFilterSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('range'), lo: z.number(), hi: z.number() }),
  z.strictObject({ kind: z.literal('values'), codes: z.array(z.number().int().min(-1)).max(MAX_METADATA_CATEGORIES) }),
]);
export type ColumnFilter = z.infer<typeof ColumnFilterSchema>;

/** What a project keeps of the metadata: the file (a copy inside the project once saved), the colouring and the filters. */
export const ProjectMetadataSchema = z.strictObject({
  path: AbsolutePath,
  colorColumn: ColumnName.nullable(),
  filters: z
    .record(ColumnName, ColumnFilterSchema)
    .refine((filters) => Object.keys(filters).length <= MAX_METADATA_COLUMNS + 3, `at most ${MAX_METADATA_COLUMNS + 3} filters`),
});
export type ProjectMetadata = z.infer<typeof ProjectMetadataSchema>;

export const metadataCalls = {
  /** Reads a CSV or Parquet file the user chose and joins its rows to the open dataset's files. */
  metadataImport: { input: z.strictObject({ path: AbsolutePath }), output: MetadataImportSchema },
} as const;
