import { describe, expect, it } from 'vitest';
import { droppedPosition } from './placement';

// Four points of a layout whose dataset ids are their own indices.
const view = Float32Array.from([0, 0, 0, 2, 0, 0, 0, 4, 0, 10, 10, 10]);
const ids = Int32Array.from([0, 1, 2, 3]);

describe('droppedPosition', () => {
  it('UMAP: the mean of the nearest training images’ places', () => {
    const at = droppedPosition({ kind: 'umap', view, ids }, new Float32Array(2), Int32Array.from([0, 1, 2]), () => [9, 9, 9]);
    expect(at).toEqual([2 / 3, 4 / 3, 0]);
  });

  it('UMAP: neighbours missing from the layout (a snapshot sample) are left out; none gives no place', () => {
    const sample = { kind: 'umap' as const, view: view.subarray(0, 6), ids: Int32Array.from([5, 7]) };
    expect(droppedPosition(sample, new Float32Array(2), Int32Array.from([7, 1]), () => null)).toEqual([2, 0, 0]);
    expect(droppedPosition(sample, new Float32Array(2), Int32Array.from([1, 2]), () => null)).toBeNull();
  });

  it('a linear view projects μ itself', () => {
    const mu = Float32Array.from([0.5, -1]);
    const seen: Float32Array[] = [];
    const at = droppedPosition({ kind: 'pca', view, ids }, mu, Int32Array.from([3]), (z) => (seen.push(z), [z[0], z[1], 0]));
    expect(at).toEqual([0.5, -1, 0]);
    expect(seen).toEqual([mu]);
  });
});
