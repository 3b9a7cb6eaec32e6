/**
 * The imported metadata seen through the current layout, as pure functions (tested in Node): which
 * points pass the filters, each column's histogram under the other columns' filters (a cross-filter:
 * a column's own filter never hides its own bars), colours by a column, and `column:value` search.
 * Columns are per dataset index; a layout's point i is dataset index ids[i].
 */
import type { ColumnFilter, MetadataColumn } from '../../../shared/contract';
import { colormap, hexToRgb, labelColor, UNLABELLED } from '../../scene/colors';

export type { ColumnFilter };
export type Filters = Readonly<Record<string, ColumnFilter>>;

export const HISTOGRAM_BINS = 24;

function passes(column: MetadataColumn, filter: ColumnFilter, index: number): boolean {
  if (filter.kind === 'range') {
    if (column.kind !== 'numeric') return true;
    const v = column.values[index];
    return v >= filter.lo && v <= filter.hi; // NaN (no value) fails a range
  }
  return column.kind === 'category' && filter.codes.includes(column.codes[index]);
}

/** 1 for each point that passes every filter but `except`'s; null when no filter applies. */
export function filterMask(columns: readonly MetadataColumn[], filters: Filters, ids: Int32Array, except: string | null = null): Uint8Array | null {
  const active = columns.flatMap((column) => (column.name !== except && filters[column.name] ? [{ column, filter: filters[column.name] }] : []));
  if (!active.length) return null;
  const mask = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) mask[i] = active.every(({ column, filter }) => passes(column, filter, ids[i])) ? 1 : 0;
  return mask;
}

export interface Histogram {
  /** Per bar: its label, the points in it under the other filters, and (numeric) its range. */
  bars: { label: string; count: number; lo?: number; hi?: number; code?: number }[];
  /** Points with no value in this column (under the other filters). */
  missing: number;
}

export function histogram(column: MetadataColumn, ids: Int32Array, others: Uint8Array | null): Histogram | null {
  if (column.kind === 'text') return null;
  let missing = 0;
  if (column.kind === 'category') {
    const counts = new Array<number>(column.categories.length).fill(0);
    for (let i = 0; i < ids.length; i++) {
      if (others && !others[i]) continue;
      const code = column.codes[ids[i]];
      if (code < 0) missing++;
      else counts[code]++;
    }
    return { bars: column.categories.map((label, code) => ({ label, count: counts[code], code })), missing };
  }
  const { min, max } = column;
  const bins = min === max ? 1 : HISTOGRAM_BINS;
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < ids.length; i++) {
    if (others && !others[i]) continue;
    const v = column.values[ids[i]];
    if (Number.isNaN(v)) missing++;
    else counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  }
  return {
    bars: counts.map((count, b) => {
      const lo = min + b * width;
      const hi = b === bins - 1 ? max : min + (b + 1) * width;
      return { label: `${formatValue(lo)}–${formatValue(hi)}`, count, lo, hi };
    }),
    missing,
  };
}

export function formatValue(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);
}

/** Colours of the layout's points by a column: categories as labels are, numbers through the colour map; grey: no value. */
export function columnColors(column: MetadataColumn, ids: Int32Array): Float32Array {
  const out = new Float32Array(ids.length * 3);
  const grey = hexToRgb(UNLABELLED);
  if (column.kind === 'numeric') {
    const span = column.max - column.min || 1;
    for (let i = 0; i < ids.length; i++) {
      const v = column.values[ids[i]];
      out.set(Number.isNaN(v) ? grey : colormap((v - column.min) / span), i * 3);
    }
    return out;
  }
  const palette = column.kind === 'category' ? column.categories.map((_, code) => hexToRgb(labelColor(code))) : [];
  for (let i = 0; i < ids.length; i++) {
    const code = column.kind === 'category' ? column.codes[ids[i]] : -1;
    out.set(code >= 0 ? palette[code] : grey, i * 3);
  }
  return out;
}

/**
 * `column:value` in the search box: the points whose value in that column equals `value` (any case), or
 * for text columns contains it; `column:lo..hi` (also `>x`, `<x`) for a number range. Null: the query
 * names no column (the search's other forms apply).
 */
export function columnQuery(columns: readonly MetadataColumn[], query: string, ids: Int32Array): Uint8Array | null {
  const m = /^([^:]+):(.*)$/.exec(query.trim());
  if (!m) return null;
  const name = m[1].trim().toLowerCase();
  const column = columns.find((c) => c.name.toLowerCase() === name);
  if (!column) return null;
  const wanted = m[2].trim();
  const mask = new Uint8Array(ids.length);
  if (column.kind === 'numeric') {
    const range = /^(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)$/.exec(wanted);
    const compare = /^([<>]=?)\s*(-?[\d.]+)$/.exec(wanted);
    const test = range
      ? (v: number) => v >= Number(range[1]) && v <= Number(range[2])
      : compare
        ? (v: number) => ({ '<': v < +compare[2], '<=': v <= +compare[2], '>': v > +compare[2], '>=': v >= +compare[2] })[compare[1] as '<']
        : (v: number) => v === Number(wanted);
    for (let i = 0; i < ids.length; i++) mask[i] = test(column.values[ids[i]]) ? 1 : 0;
    return mask;
  }
  const needle = wanted.toLowerCase();
  if (column.kind === 'category') {
    const hits = column.categories.map((c) => c.toLowerCase() === needle);
    for (let i = 0; i < ids.length; i++) mask[i] = column.codes[ids[i]] >= 0 && hits[column.codes[ids[i]]] ? 1 : 0;
    return mask;
  }
  for (let i = 0; i < ids.length; i++) mask[i] = needle && column.values[ids[i]].toLowerCase().includes(needle) ? 1 : 0;
  return mask;
}

/** The layout's own per-point values, as columns the filters and colours treat like imported ones. */
export interface BuiltInSource {
  ids: Int32Array;
  labels: Int32Array;
  labelNames: readonly string[];
  /** Per layout point (null: not measured, or not for these points). */
  rmse: Float32Array | null;
  kl: Float32Array | null;
}

export const BUILT_IN_NAMES = { label: 'label', rmse: 'reconstruction error', kl: 'KL' } as const;

/** label (a category), and, once measured, the reconstruction error and the KL (numbers); per dataset index. */
export function builtInColumns(source: BuiltInSource): MetadataColumn[] {
  const { ids, labels, labelNames } = source;
  let size = 0;
  for (let i = 0; i < ids.length; i++) size = Math.max(size, ids[i] + 1);
  const columns: MetadataColumn[] = [];
  if (labelNames.length > 1) {
    const codes = new Int32Array(size).fill(-1);
    for (let i = 0; i < ids.length; i++) codes[ids[i]] = labels[i];
    columns.push({ kind: 'category', name: BUILT_IN_NAMES.label, categories: [...labelNames], codes });
  }
  const numeric = (name: string, perPoint: Float32Array | null): void => {
    if (!perPoint || perPoint.length !== ids.length) return;
    const values = new Float32Array(size).fill(NaN);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < ids.length; i++) {
      const v = perPoint[i];
      values[ids[i]] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min <= max) columns.push({ kind: 'numeric', name, values, min, max });
  };
  numeric(BUILT_IN_NAMES.rmse, source.rmse);
  numeric(BUILT_IN_NAMES.kl, source.kl);
  return columns;
}
