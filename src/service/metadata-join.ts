/**
 * Joins a metadata table to the open dataset: finds the column whose values name the dataset's files
 * (relative paths, else bare file names; for a dataset without files, MNIST, image numbers), and turns
 * every other column into a per-image column (metadata-schemas.ts): numeric where every value is a
 * number, a category where it has few distinct values, text otherwise.
 *
 * Rows that name no image, or a file name several images share, are counted as unmatched; a second row
 * for an image already matched is unmatched too (the first one wins).
 */
import { MAX_METADATA_CATEGORIES, type MetadataColumn, type MetadataImport } from '../shared/contract';
import { MetadataError, type Cell, type MetadataTable } from './metadata-read';

/** Columns whose name says they hold the file: preferred when two columns match as many rows. */
const KEY_NAMES = ['path', 'file', 'filename', 'file_name', 'filepath', 'image', 'name', 'id'];

type MatchedBy = MetadataImport['matchedBy'];

interface KeyMatch {
  column: number;
  matchedBy: MatchedBy;
  /** Per row, the dataset index it names (-1: none). */
  imageOfRow: Int32Array;
  /** The distinct images it names. */
  matched: number;
}

const normalise = (path: string): string => path.replace(/\\/g, '/').replace(/^\.\//, '').toLowerCase();
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export function joinMetadata(table: MetadataTable, files: readonly string[] | null, imageCount: number, source: string): MetadataImport {
  const key = findKey(table, files, imageCount);
  if (!key || key.matched === 0) {
    const expected = files
      ? `relative paths like '${files[0] ?? 'cats/001.jpg'}' or file names like '${baseName(files[0] ?? '001.jpg')}'`
      : 'image numbers from 0 to ' + (imageCount - 1);
    throw new MetadataError(
      `none of the ${table.rows.toLocaleString('en-US')} rows of ${source} names an image of this dataset (every column was tried; expected ${expected})`,
    );
  }
  const rowOfImage = new Int32Array(imageCount).fill(-1);
  let matchedRows = 0;
  for (let r = 0; r < table.rows; r++) {
    const image = key.imageOfRow[r];
    if (image < 0 || rowOfImage[image] >= 0) continue;
    rowOfImage[image] = r;
    matchedRows++;
  }
  const columns: MetadataColumn[] = [];
  table.names.forEach((name, c) => {
    if (c !== key.column) columns.push(joinColumn(name, table.columns[c], rowOfImage));
  });
  return {
    source,
    format: table.format,
    keyColumn: table.names[key.column],
    matchedBy: key.matchedBy,
    rows: table.rows,
    matchedRows,
    unmatchedRows: table.rows - matchedRows,
    matchedImages: matchedRows,
    imageCount,
    columns,
  };
}

function findKey(table: MetadataTable, files: readonly string[] | null, imageCount: number): KeyMatch | null {
  const lookups: { matchedBy: MatchedBy; index: (value: string) => number }[] = [];
  if (files) {
    const byPath = new Map<string, number>();
    const byName = new Map<string, number>();
    files.forEach((file, i) => {
      const path = normalise(file);
      byPath.set(path, i);
      const name = baseName(path);
      byName.set(name, byName.has(name) ? -1 : i); // a name several files share names none of them
    });
    lookups.push({ matchedBy: 'path', index: (v) => byPath.get(normalise(v)) ?? -1 });
    lookups.push({ matchedBy: 'name', index: (v) => byName.get(baseName(normalise(v))) ?? -1 });
  } else {
    lookups.push({
      matchedBy: 'index',
      index: (v) => {
        const m = /^#?(\d+)$/.exec(v.trim());
        const i = m ? Number(m[1]) : -1;
        return i < imageCount ? i : -1;
      },
    });
  }
  let best: KeyMatch | null = null;
  const preference = (c: number): number => {
    const i = KEY_NAMES.indexOf(table.names[c].toLowerCase());
    return i < 0 ? KEY_NAMES.length : i;
  };
  for (let c = 0; c < table.names.length; c++) {
    for (const lookup of lookups) {
      const imageOfRow = new Int32Array(table.rows).fill(-1);
      // Scored by the distinct images it names, not its rows: a column of small numbers (a score
      // from 0 to 99) names image numbers on every row, but only a hundred images.
      const named = new Uint8Array(imageCount);
      let matched = 0;
      const cells = table.columns[c];
      for (let r = 0; r < table.rows; r++) {
        const cell = cells[r];
        if (cell === null) continue;
        const image = lookup.index(String(cell));
        if (image >= 0) {
          imageOfRow[r] = image;
          if (!named[image]) matched++;
          named[image] = 1;
        }
      }
      const better = !best || matched > best.matched || (matched === best.matched && matched > 0 && preference(c) < preference(best.column));
      if (better) best = { column: c, matchedBy: lookup.matchedBy, imageOfRow, matched };
    }
  }
  return best;
}

function joinColumn(name: string, cells: readonly Cell[], rowOfImage: Int32Array): MetadataColumn {
  const n = rowOfImage.length;
  const cellOfImage = (i: number): Cell => (rowOfImage[i] >= 0 ? cells[rowOfImage[i]] : null);
  let numeric = true;
  let any = false;
  const distinct = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const cell = cellOfImage(i);
    if (cell === null) continue;
    any = true;
    if (numeric && typeof cell !== 'number' && !Number.isFinite(Number(cell))) numeric = false;
    if (distinct.size <= MAX_METADATA_CATEGORIES) distinct.set(String(cell), (distinct.get(String(cell)) ?? 0) + 1);
  }
  if (numeric && any) {
    const values = new Float32Array(n).fill(NaN);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const cell = cellOfImage(i);
      if (cell === null) continue;
      const v = Number(cell);
      values[i] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { kind: 'numeric', name, values, min, max };
  }
  if (distinct.size <= MAX_METADATA_CATEGORIES) {
    // Most common first, so the legend's first colours go to the biggest groups.
    const categories = [...distinct.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([value]) => value);
    const codeOf = new Map(categories.map((value, i) => [value, i]));
    const codes = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const cell = cellOfImage(i);
      if (cell !== null) codes[i] = codeOf.get(String(cell)) ?? -1;
    }
    return { kind: 'category', name, categories, codes };
  }
  const values = new Array<string>(n);
  for (let i = 0; i < n; i++) values[i] = String(cellOfImage(i) ?? '');
  return { kind: 'text', name, values };
}
