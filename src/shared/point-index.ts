/**
 * A uniform 3D grid over a point cloud, built once per layout (a counting sort: O(n)), so that
 * picking a point under the cursor and finding a spot's nearest points cost what the neighbourhood
 * holds, not what the whole cloud holds.
 *
 *  - raycast: the front-most point inside a cone around a ray (the cursor's pixel disc, widening
 *    with depth like the screen's pixels do). The ray is marched in half-cell steps; each step
 *    visits the cells within the cone's reach that no earlier step visited (a stamp per cell), and
 *    the march stops one cell past the first hit's depth: nothing in front of it is missed.
 *  - nearest: the k nearest points to a spot, by growing cubic shells of cells until no unvisited
 *    cell can hold anything closer.
 *
 * Pure arithmetic on typed arrays: used by the page (scene/) and timed by `latentscape bench`.
 */
export interface RayHit {
  index: number;
  /** Distance along the ray. */
  depth: number;
  /** Distance from the ray. */
  offset: number;
}

export class PointIndex {
  readonly count: number;
  readonly cellSize: number;
  readonly dims: [number, number, number];
  private readonly positions: Float32Array;
  private readonly min: [number, number, number];
  private readonly max: [number, number, number];
  private readonly cellStart: Uint32Array;
  private readonly order: Uint32Array;
  private readonly stamps: Uint32Array;
  private stamp = 0;

  /**
   * @param positions count × 3 coordinates (kept by reference: rebuild the index when they change)
   * @param perCell the average number of points a cell should hold
   * @param maxCells the grid's size limit (memory: 8 bytes per cell)
   */
  constructor(positions: Float32Array, count: number, perCell = 4, maxCells = 1 << 21) {
    this.positions = positions;
    this.count = count;
    const min: [number, number, number] = [Infinity, Infinity, Infinity];
    const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < count; i++) {
      for (let a = 0; a < 3; a++) {
        const v = positions[i * 3 + a];
        if (v < min[a]) min[a] = v;
        if (v > max[a]) max[a] = v;
      }
    }
    if (!(count > 0) || !Number.isFinite(min[0] + min[1] + min[2] + max[0] + max[1] + max[2])) {
      min.fill(0);
      max.fill(0);
    }
    const largest = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2]) || 1;
    // A flat or thin cloud (d = 2 puts every point on a plane) still gets a usable grid.
    const extent = [0, 1, 2].map((a) => Math.max(max[a] - min[a], largest * 1e-3));
    const cells = Math.max(1, Math.min(maxCells, Math.ceil(count / perCell)));
    let h = Math.cbrt((extent[0] * extent[1] * extent[2]) / cells);
    let dims = extent.map((e) => Math.max(1, Math.ceil(e / h))) as [number, number, number];
    while (dims[0] * dims[1] * dims[2] > maxCells) {
      h *= 1.1;
      dims = extent.map((e) => Math.max(1, Math.ceil(e / h))) as [number, number, number];
    }
    this.min = min;
    this.max = max;
    this.cellSize = h;
    this.dims = dims;
    const total = dims[0] * dims[1] * dims[2];
    const cellOf = new Uint32Array(count);
    const start = new Uint32Array(total + 1);
    for (let i = 0; i < count; i++) {
      const c = this.cellIndex(this.axisCell(positions[i * 3], 0), this.axisCell(positions[i * 3 + 1], 1), this.axisCell(positions[i * 3 + 2], 2));
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < total; c++) start[c + 1] += start[c];
    const fill = start.slice(0, total);
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[fill[cellOf[i]]++] = i;
    this.cellStart = start;
    this.order = order;
    this.stamps = new Uint32Array(total);
  }

  /** The cell coordinate of v on axis a, clamped to the grid (NaN lands in cell 0). */
  private axisCell(v: number, a: number): number {
    const c = Math.floor((v - this.min[a]) / this.cellSize);
    return c > 0 ? Math.min(c, this.dims[a] - 1) : 0;
  }

  private cellIndex(x: number, y: number, z: number): number {
    return (z * this.dims[1] + y) * this.dims[0] + x;
  }

  private nextStamp(): number {
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /**
   * The front-most point within radius0 + radiusPerDepth·depth of the ray origin + depth·dir
   * (depth > near). `dir` need not be normalised. Points whose `skip` entry is non-zero are
   * ignored (hidden classes). Null when nothing is that close.
   */
  raycast(origin: ArrayLike<number>, dir: ArrayLike<number>, radius0: number, radiusPerDepth: number, near = 0, skip: Uint8Array | null = null): RayHit | null {
    if (this.count === 0) return null;
    const len = Math.hypot(dir[0], dir[1], dir[2]);
    if (!(len > 0)) return null;
    const ox = origin[0];
    const oy = origin[1];
    const oz = origin[2];
    const ux = dir[0] / len;
    const uy = dir[1] / len;
    const uz = dir[2] / len;
    const h = this.cellSize;
    // The farthest any point can be along the ray bounds the cone's widest reach.
    let far = 0;
    for (const x of [this.min[0], this.max[0]])
      for (const y of [this.min[1], this.max[1]]) for (const z of [this.min[2], this.max[2]]) far = Math.max(far, Math.hypot(x - ox, y - oy, z - oz));
    const reach = radius0 + Math.max(0, radiusPerDepth) * far;
    // The part of the ray that passes within `reach` of the grid's box.
    let t0 = Math.max(near, 0);
    let t1 = far;
    const o = [ox, oy, oz];
    const u = [ux, uy, uz];
    for (let a = 0; a < 3; a++) {
      const lo = this.min[a] - reach;
      const hi = this.max[a] + reach;
      if (Math.abs(u[a]) < 1e-12) {
        if (o[a] < lo || o[a] > hi) return null;
        continue;
      }
      let ta = (lo - o[a]) / u[a];
      let tb = (hi - o[a]) / u[a];
      if (ta > tb) [ta, tb] = [tb, ta];
      t0 = Math.max(t0, ta);
      t1 = Math.min(t1, tb);
    }
    if (t0 > t1) return null;

    const stamp = this.nextStamp();
    const { positions, order, cellStart, stamps } = this;
    const [nx, ny, nz] = this.dims;
    let best = -1;
    let bestDepth = Infinity;
    let bestOffset = Infinity;
    const step = h / 2;
    for (let t = t0; t <= t1 + step; t += step) {
      if (t > bestDepth + h) break;
      const px = ox + ux * t;
      const py = oy + uy * t;
      const pz = oz + uz * t;
      const r = radius0 + radiusPerDepth * (t + step);
      // A point this sample must see lies within r + h/2 of it: at most floor(r/h + ½) + 1 cells away.
      const m = Math.floor(r / h + 0.5) + 1;
      const cx = Math.floor((px - this.min[0]) / h);
      const cy = Math.floor((py - this.min[1]) / h);
      const cz = Math.floor((pz - this.min[2]) / h);
      const x0 = Math.max(0, cx - m);
      const x1 = Math.min(nx - 1, cx + m);
      const y0 = Math.max(0, cy - m);
      const y1 = Math.min(ny - 1, cy + m);
      const z0 = Math.max(0, cz - m);
      const z1 = Math.min(nz - 1, cz + m);
      for (let z = z0; z <= z1; z++) {
        for (let y = y0; y <= y1; y++) {
          let c = (z * ny + y) * nx + x0;
          for (let x = x0; x <= x1; x++, c++) {
            if (stamps[c] === stamp) continue;
            stamps[c] = stamp;
            for (let k = cellStart[c], end = cellStart[c + 1]; k < end; k++) {
              const i = order[k];
              if (skip !== null && skip[i] !== 0) continue;
              const qx = positions[i * 3] - ox;
              const qy = positions[i * 3 + 1] - oy;
              const qz = positions[i * 3 + 2] - oz;
              const depth = qx * ux + qy * uy + qz * uz;
              if (depth <= near || depth > bestDepth) continue;
              const off2 = qx * qx + qy * qy + qz * qz - depth * depth;
              const radius = radius0 + radiusPerDepth * depth;
              if (off2 > radius * radius) continue;
              if (depth === bestDepth && off2 >= bestOffset * bestOffset) continue;
              best = i;
              bestDepth = depth;
              bestOffset = Math.sqrt(Math.max(0, off2));
            }
          }
        }
      }
    }
    return best < 0 ? null : { index: best, depth: bestDepth, offset: bestOffset };
  }

  /** The k nearest points to `point` (nearest first) and their distances. */
  nearest(point: ArrayLike<number>, k: number): { ids: Int32Array; distances: Float32Array } {
    const n = Math.min(Math.max(0, Math.floor(k)), this.count);
    const ids = new Int32Array(n).fill(-1);
    const d2 = new Float64Array(n).fill(Infinity);
    if (n === 0) return { ids, distances: new Float32Array(0) };
    const { positions, order, cellStart } = this;
    const [nx, ny, nz] = this.dims;
    const h = this.cellSize;
    const qx = point[0];
    const qy = point[1];
    const qz = point[2];
    const cx = this.axisCell(qx, 0);
    const cy = this.axisCell(qy, 1);
    const cz = this.axisCell(qz, 2);
    const visitCell = (c: number): void => {
      for (let j = cellStart[c], end = cellStart[c + 1]; j < end; j++) {
        const i = order[j];
        const dx = positions[i * 3] - qx;
        const dy = positions[i * 3 + 1] - qy;
        const dz = positions[i * 3 + 2] - qz;
        const s = dx * dx + dy * dy + dz * dz;
        if (s >= d2[n - 1]) continue;
        insertNearest(d2, ids, s, i);
      }
    };
    const maxRing = Math.max(nx, ny, nz);
    for (let ring = 0; ring <= maxRing; ring++) {
      const x0 = Math.max(0, cx - ring);
      const x1 = Math.min(nx - 1, cx + ring);
      const y0 = Math.max(0, cy - ring);
      const y1 = Math.min(ny - 1, cy + ring);
      const z0 = Math.max(0, cz - ring);
      const z1 = Math.min(nz - 1, cz + ring);
      for (let z = z0; z <= z1; z++) {
        const zEdge = z === cz - ring || z === cz + ring;
        for (let y = y0; y <= y1; y++) {
          const yEdge = zEdge || y === cy - ring || y === cy + ring;
          for (let x = x0; x <= x1; x++) {
            // Only the shell: the inside was visited by the smaller rings.
            if (!yEdge && x !== cx - ring && x !== cx + ring) continue;
            visitCell((z * ny + y) * nx + x);
          }
        }
      }
      // Whatever is left lies outside the visited cube: at least this far from the query.
      let bound = Infinity;
      const lo = [x0, y0, z0];
      const hi = [x1, y1, z1];
      const dim = [nx, ny, nz];
      const q = [qx, qy, qz];
      for (let a = 0; a < 3; a++) {
        if (lo[a] > 0) bound = Math.min(bound, q[a] - (this.min[a] + lo[a] * h));
        if (hi[a] < dim[a] - 1) bound = Math.min(bound, this.min[a] + (hi[a] + 1) * h - q[a]);
      }
      if (bound === Infinity) break;
      if (bound > 0 && d2[n - 1] <= bound * bound) break;
    }
    const distances = new Float32Array(n);
    for (let i = 0; i < n; i++) distances[i] = Math.sqrt(d2[i]);
    return { ids, distances };
  }
}

/**
 * Inserts (distance, index) into k-best lists kept in ascending order of distance; the caller has
 * already checked that `distance` beats the current last entry. Shared by every k-nearest search.
 */
export function insertNearest(bestDistance: Float64Array, bestIndex: Int32Array, distance: number, index: number): void {
  let p = bestDistance.length - 1;
  while (p > 0 && bestDistance[p - 1] > distance) {
    bestDistance[p] = bestDistance[p - 1];
    bestIndex[p] = bestIndex[p - 1];
    p--;
  }
  bestDistance[p] = distance;
  bestIndex[p] = index;
}
