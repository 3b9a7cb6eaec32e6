/**
 * The VAE figures: a traversal grid of the decoded point, a grid of prior samples and a manifold
 * grid over the plane of the current view. Each is one batched `decode` of all its cells; a cell
 * clicked is decoded again into the decode panel (with the cursor on it where it can be placed).
 */
import type { Images } from '../../../shared/contract';
import { componentCount } from '../../../shared/latent-density';
import type { LatentPrior } from '../../../shared/vocabulary';
import type { CameraRequests } from '../camera-requests.svelte';
import { priorGrid, traversalDirections, traversalGrid, viewPlaneSpots, type LatentGrid } from './figure-grids';
import type { LatentViewState } from '../latent-view.svelte';
import { isStale } from '../../lib/api';
import type { Session } from '../../shell/session';

export type FigureKind = 'traversal' | 'prior' | 'manifold';

export interface Figure {
  kind: FigureKind;
  title: string;
  grid: LatentGrid;
  /** rows × cols images, row-major. */
  images: Images;
}

/** Columns of a traversal (−3σ … +3σ), the prior grid's and the manifold's sides. */
export const TRAVERSAL_COLUMNS = 9;
export const PRIOR_SIDE = 8;
export const MANIFOLD_SIDE = 15;
/** The manifold covers this share of the view's height around the orbit target. */
const MANIFOLD_VIEW_SHARE = 0.8;
/** The camera's vertical field of view (stage.ts), in degrees. */
const CAMERA_FOV = 50;

export class FiguresState {
  figure = $state.raw<Figure | null>(null);
  busy = $state<FigureKind | null>(null);
  private priorSeed = 1;

  constructor(
    private readonly app: Session,
    private readonly view: LatentViewState,
    private readonly camera: CameraRequests,
  ) {}

  get latentDim(): number {
    return this.app.model?.latentDim ?? 0;
  }

  /** The decoded point's traversal: one row per latent dimension (top principal directions when d > 12). */
  async traverse(): Promise<void> {
    const d = this.view.decoder.decoded;
    if (!d || d.z.length !== this.latentDim) {
      this.app.notify('info', 'decode a point or a spot first: the traversal goes through it');
      return;
    }
    const e = this.app.embeddings;
    const { directions, names } = traversalDirections(d.z.length, e?.latentDim === d.z.length ? e.mu : null, e?.count ?? 0);
    const what = d.index !== null ? `image #${d.index}` : 'the decoded spot';
    await this.make(
      'traversal',
      `Traversal of ${what}: ${names[0].startsWith('PC') ? 'top principal directions of μ' : 'each latent dimension'}, −3σ … +3σ`,
      traversalGrid(d.z, directions, names, TRAVERSAL_COLUMNS),
    );
  }

  /** Where the sample grid draws from, as asked; null: the fitted density when the model has one. */
  priorChoice = $state<LatentPrior | null>(null);

  /** Where the sample grid draws from now (N(0, I) for a model without a fitted density). */
  get prior(): LatentPrior {
    return this.app.model?.latentDensity ? (this.priorChoice ?? 'density') : 'normal';
  }

  /** A fresh grid of samples of the fitted latent density, or of N(0, I). */
  async priorSamples(): Promise<void> {
    if (!this.latentDim) return;
    const seed = this.priorSeed++;
    const density = this.app.model?.latentDensity;
    const { grid, prior } = priorGrid(density, this.latentDim, PRIOR_SIDE, PRIOR_SIDE, seed, this.prior);
    const title =
      prior === 'density' && density
        ? `Samples of the fitted latent density (${componentCount(density)} component${componentCount(density) === 1 ? '' : 's'}, seed ${seed})`
        : `Samples of the prior N(0, I) (seed ${seed})`;
    await this.make('prior', title, grid);
  }

  /** The latent space decoded over a square of the current view's plane (through the orbit target). */
  async manifold(): Promise<void> {
    const cam = this.camera.current();
    if (!cam || !this.view.decodable) {
      this.app.notify('info', 'the manifold needs the points of a model in the 3D view');
      return;
    }
    const distance = Math.hypot(...[0, 1, 2].map((a) => cam.position[a] - cam.target[a]));
    const half = distance * Math.tan((CAMERA_FOV * Math.PI) / 360) * MANIFOLD_VIEW_SHARE;
    const spots = viewPlaneSpots(cam.position, cam.target, half, MANIFOLD_SIDE);
    const d = this.latentDim;
    const z = new Float32Array(spots.length * d);
    for (let i = 0; i < spots.length; i++) {
      const latent = this.view.viewToLatent(spots[i]);
      if (!latent) return;
      z.set(latent, i * d);
    }
    await this.make('manifold', `Manifold over the view plane (${MANIFOLD_SIDE} × ${MANIFOLD_SIDE} spots, ${(2 * half).toFixed(2)} wide)`, {
      rows: MANIFOLD_SIDE,
      cols: MANIFOLD_SIDE,
      latentDim: d,
      z,
      rowNames: [],
      colNames: [],
    });
  }

  private async make(kind: FigureKind, title: string, grid: LatentGrid): Promise<void> {
    this.busy = kind;
    try {
      const { generation, ...images } = await this.app.api.call('decode', { z: grid.z });
      if (this.app.isCurrent(generation)) this.figure = { kind, title, grid, images };
    } catch (err) {
      if (!isStale(err)) this.app.notify('error', `could not decode the figure: ${(err as Error).message}`);
    } finally {
      this.busy = null;
    }
  }

  /** The latent of a cell. */
  cellZ(row: number, col: number): Float32Array | null {
    const f = this.figure;
    if (!f || row < 0 || col < 0 || row >= f.grid.rows || col >= f.grid.cols) return null;
    const d = f.grid.latentDim;
    const i = row * f.grid.cols + col;
    return f.grid.z.slice(i * d, (i + 1) * d);
  }

  /** A cell clicked: decode it into the decode panel. */
  pick(row: number, col: number): void {
    const z = this.cellZ(row, col);
    if (z) this.view.decodeLatent(z, 'external');
  }

  close(): void {
    this.figure = null;
  }
}
