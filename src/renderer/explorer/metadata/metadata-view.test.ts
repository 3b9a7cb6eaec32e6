import { describe, expect, it } from 'vitest';
import type { MetadataColumn } from '../../../shared/contract';
import { builtInColumns, columnColors, columnQuery, filterMask, histogram } from './metadata-view';

// Five images; the layout shows dataset indices 4, 0, 2 (in that order).
const weight: MetadataColumn = { kind: 'numeric', name: 'weight', values: new Float32Array([1, 2, NaN, 4, 10]), min: 1, max: 10 };
const kind: MetadataColumn = { kind: 'category', name: 'kind', categories: ['cat', 'dog'], codes: new Int32Array([0, 1, 0, -1, 1]) };
const note: MetadataColumn = { kind: 'text', name: 'note', values: ['a fluffy cat', 'good dog', '', 'x', 'Fluffy dog'] };
const columns = [weight, kind, note];
const ids = new Int32Array([4, 0, 2]);

describe('metadata through the layout', () => {
  it('keeps the points that pass every filter, and leaves out a column’s own filter when asked (the cross-filter)', () => {
    const filters = { weight: { kind: 'range' as const, lo: 0, hi: 5 }, kind: { kind: 'values' as const, codes: [0] } };
    expect(Array.from(filterMask(columns, filters, ids) ?? [])).toEqual([0, 1, 0]); // 10 fails the range; NaN fails it too
    expect(Array.from(filterMask(columns, filters, ids, 'weight') ?? [])).toEqual([0, 1, 1]); // only kind = cat
    expect(filterMask(columns, {}, ids)).toBeNull();
  });

  it('counts a column’s bars over the points the other filters keep, with the missing values apart', () => {
    const categories = histogram(kind, ids, null);
    expect(categories?.bars.map((b) => [b.label, b.count])).toEqual([
      ['cat', 2],
      ['dog', 1],
    ]);
    const numbers = histogram(weight, ids, new Uint8Array([1, 1, 1]));
    expect(numbers?.missing).toBe(1);
    expect(numbers?.bars.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(numbers?.bars[0].count).toBe(1); // 1 in the lowest bar
    expect(numbers?.bars.at(-1)?.count).toBe(1); // 10, the maximum, in the last bar
    expect(histogram(weight, ids, new Uint8Array([0, 1, 1]))?.bars.at(-1)?.count).toBe(0);
    expect(histogram(note, ids, null)).toBeNull();
  });

  it('searches `column:value`: categories by equality, text by contents, numbers by value or range', () => {
    expect(Array.from(columnQuery(columns, 'Kind:DOG', ids) ?? [])).toEqual([1, 0, 0]);
    expect(Array.from(columnQuery(columns, 'note:fluffy', ids) ?? [])).toEqual([1, 1, 0]);
    expect(Array.from(columnQuery(columns, 'weight:0.5..2', ids) ?? [])).toEqual([0, 1, 0]);
    expect(Array.from(columnQuery(columns, 'weight:>=10', ids) ?? [])).toEqual([1, 0, 0]);
    expect(columnQuery(columns, 'colour:red', ids)).toBeNull(); // no such column: the search's other forms apply
    expect(columnQuery(columns, 'dog', ids)).toBeNull();
  });

  it('colours by a category like labels, by a number through the colour map, and greys a point without a value', () => {
    const byKind = columnColors(kind, new Int32Array([0, 2, 3]));
    expect(Array.from(byKind.slice(0, 3))).toEqual(Array.from(byKind.slice(3, 6))); // two cats, one colour
    expect(Array.from(byKind.slice(6, 9))).not.toEqual(Array.from(byKind.slice(0, 3)));
    const byWeight = columnColors(weight, new Int32Array([0, 4, 2]));
    expect(Array.from(byWeight.slice(0, 3))).not.toEqual(Array.from(byWeight.slice(3, 6)));
    expect(Array.from(byWeight.slice(6, 9))).toEqual(Array.from(byKind.slice(6, 9))); // both grey
  });
});

describe('built-in columns', () => {
  it('turn the layout’s labels and measures into columns by dataset index, so they filter like imported ones', () => {
    const columns = builtInColumns({
      ids: new Int32Array([3, 0, 1]),
      labels: new Int32Array([1, 0, 1]),
      labelNames: ['zero', 'one'],
      rmse: new Float32Array([30, 10, 20]),
      kl: null,
    });
    expect(columns.map((c) => c.name)).toEqual(['label', 'reconstruction error']);
    const [label, rmse] = columns;
    expect(label.kind === 'category' && Array.from(label.codes)).toEqual([0, 1, -1, 1]);
    expect(rmse.kind === 'numeric' && [Array.from(rmse.values).map((v) => (Number.isNaN(v) ? null : v)), rmse.min, rmse.max]).toEqual([
      [10, 20, null, 30],
      10,
      30,
    ]);
    const keepWorst = filterMask(columns, { 'reconstruction error': { kind: 'range', lo: 25, hi: 30 } }, new Int32Array([3, 0, 1]));
    expect(Array.from(keepWorst ?? [])).toEqual([1, 0, 0]);
  });
});
