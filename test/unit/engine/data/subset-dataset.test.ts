/** Training on a selection (issue 27): the dataset narrowed to the chosen images, each split keeping its own. */
import { describe, expect, it } from 'vitest';
import { subsetDataset, type Dataset } from '../../../../src/engine/data/dataset';

const dataset = {
  name: 'pets',
  count: 6,
  split: { train: Uint32Array.of(0, 1, 3, 4), test: Uint32Array.of(2, 5) },
  fingerprint: 'base',
} as unknown as Dataset;

describe('subsetDataset', () => {
  it('keeps the chosen training images for training and the chosen held-out ones for testing', () => {
    const subset = subsetDataset(dataset, Int32Array.of(4, 2, 1, 99, -1));
    expect(Array.from(subset.split.train)).toEqual([1, 4]);
    expect(Array.from(subset.split.test)).toEqual([2]);
    expect(subset.fingerprint).not.toBe('base');
    expect(subsetDataset(dataset, Int32Array.of(1, 4, 2)).fingerprint).toBe(subset.fingerprint);
    expect(subsetDataset(dataset, Int32Array.of(1, 2)).fingerprint).not.toBe(subset.fingerprint);
  });

  it('a choice with no held-out image is tested on its training images; one with no training image is refused', () => {
    expect(Array.from(subsetDataset(dataset, Int32Array.of(0, 3)).split.test)).toEqual([0, 3]);
    expect(() => subsetDataset(dataset, Int32Array.of(2, 5))).toThrow(
      'the chosen images hold no training image (all are held out for testing): choose more images',
    );
  });
});
