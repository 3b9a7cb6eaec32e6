import { describe, expect, it } from 'vitest';
import { dominantLabel, greyAllBut, labelCounts, OTHER_LABELS_GREY } from './label-share';

describe('label shares', () => {
  it('counts the points of each label, leaving the unlabelled out', () => {
    expect(labelCounts(Int32Array.from([0, 2, 2, -1, 1, 2]), 6, 3)).toEqual([1, 1, 3]);
  });

  it('finds the label holding more than half the labelled images (the walkthrough folder: 2,418 of 3,674)', () => {
    const d = dominantLabel([2418, 600, 656]);
    expect(d?.label).toBe(0);
    expect(d?.share).toBeCloseTo(2418 / 3674, 9);
  });

  it('finds none when the biggest label holds half or less, or when there is one label', () => {
    expect(dominantLabel([50, 30, 20])).toBeNull();
    expect(dominantLabel([10, 10])).toBeNull();
    expect(dominantLabel([7])).toBeNull();
    expect(dominantLabel([0, 0])).toBeNull();
  });

  it('greys every point but those of one label', () => {
    const colors = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    greyAllBut(colors, Int32Array.from([0, 1, 0]), 3, 1);
    expect(Array.from(colors)).toEqual([...OTHER_LABELS_GREY, 0, 1, 0, ...OTHER_LABELS_GREY].map((v) => Math.fround(v)));
  });
});
