/** Names for clusters: each one's most common dataset label (or folder) and the share of its points that carry it. */

export interface ClusterLabel {
  cluster: number;
  /** The most common label or folder (null: none of its points has one). */
  name: string | null;
  /** The share of the cluster's points that carry `name`, 0…1. */
  share: number;
  count: number;
  /** The densest member (a point index): the image shown for the cluster. */
  representative: number;
}

export function labelClusters(assignments: Int32Array, k: number, representatives: Int32Array, nameOf: (point: number) => string | null): ClusterLabel[] {
  const tallies = Array.from({ length: k }, () => new Map<string, number>());
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i];
    counts[c]++;
    const name = nameOf(i);
    if (name !== null) tallies[c].set(name, (tallies[c].get(name) ?? 0) + 1);
  }
  return tallies.map((tally, cluster) => {
    let name: string | null = null;
    let top = 0;
    for (const [n, v] of tally) if (v > top) [name, top] = [n, v];
    return { cluster, name, share: counts[cluster] ? top / counts[cluster] : 0, count: counts[cluster], representative: representatives[cluster] };
  });
}

/** "7 · 92 %", or "cluster 3" when its points carry no label. */
export function clusterTitle(l: ClusterLabel): string {
  return l.name === null ? `cluster ${l.cluster + 1}` : `${l.name} · ${Math.round(l.share * 100)} %`;
}

/** The folder of a dataset file ("cats/a.png" → "cats"), null for a file at the top. */
export function folderOf(file: string): string | null {
  const cut = file.replace(/\\/g, '/').lastIndexOf('/');
  return cut > 0 ? file.slice(0, cut) : null;
}
