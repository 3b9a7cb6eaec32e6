/**
 * Reads the user's metadata file into columns of cells: CSV (or TSV, any delimiter papaparse detects)
 * through papaparse, Parquet through hyparquet. Every bound is checked before the work it bounds: the
 * file's size before a byte is read (readRegularFile), a CSV's column count on its header line before
 * the rest is parsed, a Parquet file's column and row counts from its footer before a row is decoded.
 * The join to the dataset's files is metadata-join.ts's.
 */
import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import Papa from 'papaparse';
import { extname } from 'node:path';
import { MAX_METADATA_CELL_CHARS, MAX_METADATA_COLUMNS, MAX_METADATA_FILE_BYTES, MAX_METADATA_ROWS } from '../shared/contract';
import { readRegularFile, UnsafeFileError } from '../node/safe-read';

export type Cell = string | number | null;

export interface MetadataTable {
  format: 'csv' | 'parquet';
  names: string[];
  /** Column-major: columns[c][r]. */
  columns: Cell[][];
  rows: number;
}

/** A metadata file the app refuses, with a message for the user (code 'metadata'). */
export class MetadataError extends Error {
  readonly code = 'metadata';
}

const PARQUET_MAGIC = 'PAR1';

export async function readMetadataFile(path: string, name: string): Promise<MetadataTable> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(path, { maxBytes: MAX_METADATA_FILE_BYTES, what: name });
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new MetadataError(err.message);
    throw err;
  }
  const parquet = bytes.subarray(0, 4).toString('latin1') === PARQUET_MAGIC || extname(name).toLowerCase() === '.parquet';
  return parquet ? readParquet(bytes, name) : readCsv(bytes, name);
}

function readCsv(bytes: Buffer, name: string): MetadataTable {
  if (bytes.includes(0)) throw new MetadataError(`${name} is not a text file (it holds NUL bytes): choose a CSV or Parquet file`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  // The header line's width first: a file of 10⁶ columns is refused before papaparse builds its rows.
  const firstBreak = text.search(/\r?\n/);
  const header = firstBreak < 0 ? text : text.slice(0, firstBreak);
  const delimiter = Papa.parse<string[]>(header, { preview: 1 }).meta.delimiter || ',';
  const headerColumns = header.split(delimiter).length;
  if (headerColumns > MAX_METADATA_COLUMNS) {
    throw new MetadataError(`${name} has ${headerColumns.toLocaleString('en-US')} columns; at most ${MAX_METADATA_COLUMNS} are read`);
  }
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: 'greedy', preview: MAX_METADATA_ROWS + 2 });
  const rows = parsed.data;
  if (rows.length < 2) throw new MetadataError(`${name} has no rows under its header line`);
  if (rows.length > MAX_METADATA_ROWS + 1) throw new MetadataError(`${name} has more than ${MAX_METADATA_ROWS.toLocaleString('en-US')} rows`);
  const names = uniqueNames(rows[0]);
  const columns: Cell[][] = names.map(() => new Array<Cell>(rows.length - 1));
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < names.length; c++) columns[c][r - 1] = cellOf(row[c]);
  }
  return { format: 'csv', names, columns, rows: rows.length - 1 };
}

async function readParquet(bytes: Buffer, name: string): Promise<MetadataTable> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  let schemaNames: string[];
  try {
    metadata = parquetMetadata(file);
    schemaNames = parquetSchema(metadata).children.map((child) => child.element.name);
  } catch (err) {
    throw new MetadataError(`${name} is not a readable Parquet file (its footer is damaged or missing: ${(err as Error).message.slice(0, 200)})`);
  }
  if (schemaNames.length > MAX_METADATA_COLUMNS) {
    throw new MetadataError(`${name} has ${schemaNames.length.toLocaleString('en-US')} columns; at most ${MAX_METADATA_COLUMNS} are read`);
  }
  const rowCount = Number(metadata.num_rows);
  if (rowCount > MAX_METADATA_ROWS)
    throw new MetadataError(`${name} has ${rowCount.toLocaleString('en-US')} rows; at most ${MAX_METADATA_ROWS.toLocaleString('en-US')} are read`);
  let rows: unknown[][] = [];
  try {
    await parquetRead({ file, metadata, onComplete: (read: unknown[][]) => (rows = read) });
  } catch (err) {
    throw new MetadataError(`${name}: its data could not be read (${(err as Error).message.slice(0, 200)})`);
  }
  const names = uniqueNames(schemaNames);
  const columns: Cell[][] = names.map(() => new Array<Cell>(rows.length));
  for (let r = 0; r < rows.length; r++) for (let c = 0; c < names.length; c++) columns[c][r] = cellOf(rows[r][c]);
  return { format: 'parquet', names, columns, rows: rows.length };
}

/** A cell as text or a number; empty → null; anything else as its text, cut to the cell bound. */
function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const text = (
    typeof value === 'string' ? value : value instanceof Uint8Array ? '' : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
  ).trim();
  return text === '' ? null : text.slice(0, MAX_METADATA_CELL_CHARS);
}

/** Header names as the panel shows them: blanks get "column N", repeats a suffix. */
function uniqueNames(raw: readonly unknown[]): string[] {
  const seen = new Set<string>();
  return raw.map((value, i) => {
    let base =
      String(value ?? '')
        .trim()
        .slice(0, 120) || `column ${i + 1}`;
    if (seen.has(base)) {
      let n = 2;
      while (seen.has(`${base} (${n})`)) n++;
      base = `${base} (${n})`;
    }
    seen.add(base);
    return base;
  });
}
