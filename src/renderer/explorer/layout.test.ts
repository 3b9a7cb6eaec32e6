import { describe, expect, it } from 'vitest';
import { indexInLayout, soloHidden, type Layout } from './layout';

const layoutOf = (ids: number[]): Layout => ({ ids: Int32Array.from(ids) }) as unknown as Layout;

describe('layout helpers', () => {
  it('finds a dataset index in a full layout and in a sample', () => {
    expect(indexInLayout(layoutOf([0, 1, 2, 3]), 2)).toBe(2);
    expect(indexInLayout(layoutOf([7, 3, 9]), 9)).toBe(2);
    expect(indexInLayout(layoutOf([7, 3, 9]), 4)).toBeNull();
  });

  it('solo hides every other label, and a second solo shows all again', () => {
    expect(soloHidden([], 1, 4)).toEqual([0, 2, 3]);
    expect(soloHidden([0, 2, 3], 1, 4)).toEqual([]);
    // Only `label` left visible already (by hiding the others one by one) counts as solo too.
    expect(soloHidden([1, 2], 0, 3)).toEqual([]);
    // `label` itself hidden: soloing shows it and hides the rest.
    expect(soloHidden([0], 0, 3)).toEqual([1, 2]);
  });
});
