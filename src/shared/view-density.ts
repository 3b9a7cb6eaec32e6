/**
 * The density of points in a 2D view (a layout's x and y): a Gaussian kernel density estimate on a
 * grid, by linear binning and a separable blur (O(n + grid), so 70,000 points cost little), its value
 * anywhere (bilinear), and the levels that enclose a share of the points (highest-density regions), which
 * the density layer draws as contours and uses to say that a click lies past the data.
 */

export interface DensityGrid {
  /** Cells across (x) and down (y). */
  width: number;
  height: number;
  /** The view position of cell (0, 0)'s centre and the cell's side. */
  x0: number;
  y0: number;
  cell: number;
  /** width × height densities (points per unit area, integrating to 1), row-major by y. */
  values: Float64Array;
  /** The kernel's standard deviation in view units. */
  bandwidth: number;
}

/** Scott's rule for an isotropic 2D Gaussian kernel: σ · n^(−1/6). */
function scottBandwidth(points: ArrayLike<number>, count: number, stride: number): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < count; i++) {
    mx += points[i * stride];
    my += points[i * stride + 1];
  }
  mx /= count;
  my /= count;
  let v = 0;
  for (let i = 0; i < count; i++) v += (points[i * stride] - mx) ** 2 + (points[i * stride + 1] - my) ** 2;
  const sigma = Math.sqrt(v / (2 * Math.max(1, count - 1)));
  return Math.max(1e-6, sigma * count ** (-1 / 6));
}

/** Blurs rows then columns of `grid` with a normalised Gaussian of `sigma` cells. */
function blur(grid: Float64Array, width: number, height: number, sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  const rows = new Float64Array(grid.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const xx = x + k;
        if (xx >= 0 && xx < width) acc += kernel[k + radius] * grid[y * width + xx];
      }
      rows[y * width + x] = acc;
    }
  const out = new Float64Array(grid.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const yy = y + k;
        if (yy >= 0 && yy < height) acc += kernel[k + radius] * rows[yy * width + x];
      }
      out[y * width + x] = acc;
    }
  return out;
}

/**
 * The kernel density of `count` points (x, y at each `stride`-th number) on a grid of `size` cells along
 * its longer side, padded by three bandwidths so the contours close.
 */
export function densityGrid(points: ArrayLike<number>, count: number, stride = 3, size = 96, bandwidth?: number): DensityGrid {
  if (count < 2) throw new Error('a density needs at least 2 points');
  const h = bandwidth ?? scottBandwidth(points, count, stride);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[i * stride];
    const y = points[i * stride + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  minX -= 3 * h;
  minY -= 3 * h;
  maxX += 3 * h;
  maxY += 3 * h;
  const cell = Math.max(maxX - minX, maxY - minY) / (size - 1);
  const width = Math.max(2, Math.ceil((maxX - minX) / cell) + 1);
  const height = Math.max(2, Math.ceil((maxY - minY) / cell) + 1);
  const counts = new Float64Array(width * height);
  // Linear binning: each point's unit mass split between its four nearest cell centres.
  for (let i = 0; i < count; i++) {
    const gx = (points[i * stride] - minX) / cell;
    const gy = (points[i * stride + 1] - minY) / cell;
    const x = Math.min(width - 2, Math.floor(gx));
    const y = Math.min(height - 2, Math.floor(gy));
    const fx = gx - x;
    const fy = gy - y;
    counts[y * width + x] += (1 - fx) * (1 - fy);
    counts[y * width + x + 1] += fx * (1 - fy);
    counts[(y + 1) * width + x] += (1 - fx) * fy;
    counts[(y + 1) * width + x + 1] += fx * fy;
  }
  const values = blur(counts, width, height, h / cell);
  const norm = 1 / (count * cell * cell);
  for (let i = 0; i < values.length; i++) values[i] *= norm;
  return { width, height, x0: minX, y0: minY, cell, values, bandwidth: h };
}

/** The density at view position (x, y): bilinear between cell centres, 0 off the grid. */
export function densityAt(g: DensityGrid, x: number, y: number): number {
  const gx = (x - g.x0) / g.cell;
  const gy = (y - g.y0) / g.cell;
  if (!(gx >= 0 && gy >= 0 && gx <= g.width - 1 && gy <= g.height - 1)) return 0;
  const ix = Math.min(g.width - 2, Math.floor(gx));
  const iy = Math.min(g.height - 2, Math.floor(gy));
  const fx = gx - ix;
  const fy = gy - iy;
  const v = g.values;
  const w = g.width;
  return v[iy * w + ix] * (1 - fx) * (1 - fy) + v[iy * w + ix + 1] * fx * (1 - fy) + v[(iy + 1) * w + ix] * (1 - fx) * fy + v[(iy + 1) * w + ix + 1] * fx * fy;
}

/**
 * For each share in `shares` (e.g. 0.5, 0.9, 0.99), the density level above which that share of the
 * points lies: the contour at that level encloses them. Levels come back in the order of the shares.
 */
export function enclosingLevels(g: DensityGrid, points: ArrayLike<number>, count: number, stride: number, shares: readonly number[]): number[] {
  const at = new Float64Array(count);
  for (let i = 0; i < count; i++) at[i] = densityAt(g, points[i * stride], points[i * stride + 1]);
  at.sort();
  return shares.map((share) => at[Math.min(count - 1, Math.max(0, Math.floor((1 - share) * count)))]);
}
