import { describe, expect, it } from 'vitest';
import { seededNormal, seededUniform } from '../../../shared/latent-density';
import { fitClusters, meanSilhouette, pairwiseDistances } from './cluster-fit';
import { clusterTitle, folderOf, labelClusters } from './cluster-labels';

const D = 6;
const BLOBS = [
  { name: 'cats', size: 700, centre: 4 },
  { name: 'dogs', size: 450, centre: -4 },
  { name: 'cars', size: 250, centre: 0 },
];

/** Three blobs in 6D (σ = 0.7, centres 4 apart on different axes); 10 % of each blob's labels are another blob's. */
function threeBlobs(): { mu: Float32Array; blob: Int32Array; names: string[] } {
  const normal = seededNormal(4);
  const uniform = seededUniform(8);
  const count = BLOBS.reduce((n, b) => n + b.size, 0);
  const mu = new Float32Array(count * D);
  const blob = new Int32Array(count);
  const names: string[] = [];
  let i = 0;
  BLOBS.forEach((b, bi) => {
    for (let k = 0; k < b.size; k++, i++) {
      for (let t = 0; t < D; t++) mu[i * D + t] = 0.7 * normal() + (t === bi ? b.centre : 0) + (t === 3 && bi === 2 ? 5 : 0);
      blob[i] = bi;
      names.push(uniform() < 0.1 ? BLOBS[(bi + 1) % 3].name : b.name);
    }
  });
  return { mu, blob, names };
}

describe('clusters of latent means', () => {
  it('a three-blob set: k = 3 by silhouette, each cluster one blob, named after its label with its share', () => {
    const { mu, blob, names } = threeBlobs();
    const count = blob.length;
    const progress: number[] = [];
    const fit = fitClusters(mu, count, D, { sampleSize: 600, seed: 1 }, (done, total) => progress.push(done / total));
    expect(fit.k).toBe(3);
    expect(fit.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(progress.at(-1)).toBe(1);
    // Each cluster holds exactly one blob's points.
    for (let c = 0; c < 3; c++) {
      const blobs = new Set<number>();
      for (let i = 0; i < count; i++) if (fit.assignments[i] === c) blobs.add(blob[i]);
      expect(blobs.size).toBe(1);
    }
    const labels = labelClusters(fit.assignments, fit.k, fit.representatives, (i) => names[i]);
    // Numbered by size: the largest blob first.
    expect(labels.map((l) => l.name)).toEqual(['cats', 'dogs', 'cars']);
    expect(labels.map((l) => l.count)).toEqual([700, 450, 250]);
    for (const l of labels) expect(l.share).toBeGreaterThan(0.85);
    for (const l of labels) expect(l.share).toBeLessThan(0.95);
    expect(clusterTitle(labels[0])).toMatch(/^cats · (8[6-9]|9[0-4]) %$/);
    // The representative is a member of its cluster, near its blob's centre.
    labels.forEach((l, c) => {
      expect(fit.assignments[l.representative]).toBe(c);
      const b = blob[l.representative];
      let r2 = 0;
      for (let t = 0; t < D; t++) r2 += (mu[l.representative * D + t] - (t === b ? BLOBS[b].centre : 0) - (t === 3 && b === 2 ? 5 : 0)) ** 2;
      expect(Math.sqrt(r2)).toBeLessThan(1.5);
    });
  });

  it('silhouette: 1 for far-apart tight groups, lower for a wrong split', () => {
    const rows = [[0], [0.1], [10], [10.1]];
    const d = pairwiseDistances(rows);
    expect(meanSilhouette(d, 4, [0, 0, 1, 1], 2)).toBeGreaterThan(0.98);
    expect(meanSilhouette(d, 4, [0, 1, 0, 1], 2)).toBeLessThan(0);
  });

  it('refuses too few points', () => {
    expect(() => fitClusters(new Float32Array(4), 2, 2)).toThrow(/at least 3 points/);
  });

  it('labels: a cluster with no labelled point is numbered; folders come from file paths', () => {
    const labels = labelClusters(Int32Array.from([0, 0, 1]), 2, Int32Array.from([0, 2]), (i) => (i < 2 ? 'a' : null));
    expect(clusterTitle(labels[0])).toBe('a · 100 %');
    expect(clusterTitle(labels[1])).toBe('cluster 2');
    expect(folderOf('cats/tabby/1.png')).toBe('cats/tabby');
    expect(folderOf('1.png')).toBeNull();
  });
});
