import { describe, expect, it } from 'vitest';
import type { Images } from '../../../shared/contract';
import { fakeApi } from '../../shell/testing/fake-api';
import type { Layout } from '../layout';
import type { Vec3 } from '../../scene/types';
import { DecodedMapState, type MapView } from './decoded-map.svelte';
import { MAP_GRID } from './map-tiles';
import { HOME_TILT_3D, extentOf, framingOf } from '../../scene/camera3d';
import { FLAT_PLANE, planeCoordinates } from '../../scene/map-plane';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

function layoutOf(version = 1, kind: Layout['kind'] = 'identity'): Layout {
  // Four points at the corners of [−1, 1]², d = 2, the view is the latent space.
  const view = Float32Array.of(-1, -1, 0, 1, -1, 0, -1, 1, 0, 1, 1, 0);
  const mu = Float32Array.of(-1, -1, 1, -1, -1, 1, 1, 1);
  return {
    source: 'embeddings',
    kind,
    count: 4,
    latentDim: 2,
    view,
    mu,
    ids: Int32Array.of(0, 1, 2, 3),
    labels: new Int32Array(4),
    labelNames: [],
    version,
    animateMs: 0,
    frame: false,
  };
}

function mapWith(layout: { current: Layout | null }) {
  const fake = fakeApi({
    // Each decoded image is 1 × 1, its gray the latent's x mapped to 0…255: the tiles can be read back.
    decode: ({ z }): Images => {
      const n = z.length / 2;
      return { count: n, height: 1, width: 1, channels: 1, pixels: Uint8Array.from({ length: n }, (_, i) => Math.round((z[i * 2] + 2) * 60)) };
    },
  });
  const notices: string[] = [];
  const map = new DecodedMapState(
    { api: fake.api, notify: (_l, m) => notices.push(m) },
    {
      layout: () => layout.current,
      decodable: () => true,
      modelKey: () => 'model-a|3',
      dims: () => 2,
      viewToLatent: (p: Vec3) => Float32Array.of(p[0], p[1]),
    },
  );
  return { map, fake, notices };
}

/** Looking straight down on z = 0 at the origin from `distance`. */
const facing = (distance: number): MapView => ({ camera: { position: [0, 0, distance], target: [0, 0, 0] }, widthPx: 800, heightPx: 800, fovDeg: 50 });
const far = facing(50);
const near = facing(0.6);

describe('DecodedMapState', () => {
  it('shows the coarse tile first, finer tiles on zoom, each decoded through the batched decode once', async () => {
    const layout = { current: layoutOf() as Layout | null };
    const { map, fake } = mapWith(layout);
    map.viewChanged(far);
    expect(map.tiles).toEqual([]);
    map.toggle();
    await settle();
    expect(map.tiles.map((t) => t.level)).toEqual([0]);
    const decodes = fake.argsOf('decode').length;
    expect(fake.argsOf('decode')[0].z.length).toBe(MAP_GRID * MAP_GRID * 2);
    // The coarse tile's top-left image is the decode of its top-left cell centre.
    const coarse = map.tiles[0];
    const side = coarse.x1 - coarse.x0;
    expect(coarse.image.width).toBe(MAP_GRID);
    expect(coarse.image.pixels[0]).toBe(Math.round((Math.fround(coarse.x0 + side / (2 * MAP_GRID)) + 2) * 60));
    // Its top-right image, the decode of the top-right cell centre.
    expect(coarse.image.pixels[MAP_GRID - 1]).toBe(Math.round((Math.fround(coarse.x1 - side / (2 * MAP_GRID)) + 2) * 60));

    map.viewChanged(near);
    await settle();
    const levels = map.tiles.map((t) => t.level);
    expect(levels[0]).toBe(0);
    expect(Math.max(...levels)).toBeGreaterThan(0);
    expect(fake.argsOf('decode').length).toBeGreaterThan(decodes);

    // Back out and in again: everything comes from the cache.
    const calls = fake.argsOf('decode').length;
    map.viewChanged(far);
    map.viewChanged(near);
    await settle();
    expect(fake.argsOf('decode').length).toBe(calls);
    expect(Math.max(...map.tiles.map((t) => t.level))).toBeGreaterThan(0);
  });

  it('drops tiles decoded for a layout that has gone, and shows none when turned off', async () => {
    const layout = { current: layoutOf(1, 'umap') as Layout | null };
    let answer: () => void = () => {};
    const fake = fakeApi({
      decode: ({ z }) =>
        new Promise<Images>((resolve) => {
          const n = z.length / 2;
          answer = () => resolve({ count: n, height: 1, width: 1, channels: 1, pixels: new Uint8Array(n) });
        }),
    });
    const map = new DecodedMapState(
      { api: fake.api, notify: () => {} },
      { layout: () => layout.current, decodable: () => true, modelKey: () => 'm', dims: () => 3, viewToLatent: (p) => Float32Array.of(p[0], p[1]) },
    );
    map.toggle();
    map.viewChanged(far);
    await settle();
    // A new UMAP layout arrives while the tile is being decoded.
    layout.current = layoutOf(2, 'umap');
    answer();
    await settle();
    expect(map.tiles).toEqual([]);
    // The new layout's own tile is asked for and shown.
    map.viewChanged(far);
    await settle();
    answer();
    await settle();
    expect(map.tiles).toHaveLength(1);
    expect(map.tiles[0].key).toContain('|2|');
    map.toggle();
    expect(map.tiles).toEqual([]);
  });
});

describe('DecodedMapState in 3D', () => {
  /** Eight points at the corners of [−1, 1]³, d = 3, the view is the latent space. */
  function cube(version: number): Layout {
    const view = Float32Array.from({ length: 24 }, (_, i) => ((Math.floor(i / 3) >> (i % 3)) & 1 ? 1 : -1));
    return {
      ...layoutOf(version, 'umap'),
      count: 8,
      latentDim: 3,
      view,
      mu: view.slice(),
      ids: Int32Array.from({ length: 8 }, (_, i) => i),
      labels: new Int32Array(8),
    };
  }
  const depthAlong = (normal: Vec3, p: ArrayLike<number>): number => -(p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2]);

  it('draws on a plane behind the cloud facing the home camera and decodes along the sight lines at the cloud’s middle, laid once per layout', async () => {
    const layout = { current: cube(1) as Layout | null };
    const decoded: Float32Array[] = [];
    const fake = fakeApi({
      decode: ({ z }): Images => {
        decoded.push(z);
        const n = z.length / 3;
        return { count: n, height: 1, width: 1, channels: 1, pixels: new Uint8Array(n) };
      },
    });
    const map = new DecodedMapState(
      { api: fake.api, notify: () => {} },
      { layout: () => layout.current, decodable: () => true, modelKey: () => 'm', dims: () => 3, viewToLatent: (p) => Float32Array.of(...p) },
    );
    const home = (distance: number): MapView => {
      const n = Math.hypot(...HOME_TILT_3D);
      return { camera: { position: HOME_TILT_3D.map((v) => (v / n) * distance) as Vec3, target: [0, 0, 0] }, widthPx: 800, heightPx: 800, fovDeg: 50 };
    };
    map.toggle();
    map.viewChanged(home(12));
    await settle();
    expect(map.tiles).toHaveLength(1);
    const coarse = map.tiles[0];
    const { plane } = coarse;
    const n = Math.hypot(...HOME_TILT_3D);
    HOME_TILT_3D.forEach((v, a) => expect(plane.normal[a]).toBeCloseTo(v / n, 9));
    const pointsFar = Math.max(...Array.from({ length: 8 }, (_, i) => depthAlong(plane.normal, layout.current!.view.subarray(i * 3))));
    // The tile is drawn on the plane past the cube's far corner, but every decoded latent (here the view point
    // itself) lies at the cloud's mean depth (0 for the cube), on the home camera's line of sight through the tile.
    expect(depthAlong(plane.normal, plane.origin)).toBeGreaterThan(pointsFar);
    const z = decoded[0];
    expect(z.length).toBe(MAP_GRID * MAP_GRID * 3);
    const sightEye = framingOf(extentOf(layout.current!.view, 8, 0), false, 50, 1).position;
    for (let k = 0; k < z.length / 3; k++) {
      const p = z.subarray(k * 3, k * 3 + 3);
      expect(depthAlong(plane.normal, p)).toBeCloseTo(0, 5);
      const t =
        (depthAlong(plane.normal, plane.origin) - depthAlong(plane.normal, sightEye)) / (depthAlong(plane.normal, p) - depthAlong(plane.normal, sightEye));
      const [a, b] = planeCoordinates(plane, sightEye.map((v, c) => v + (p[c] - v) * t) as Vec3);
      expect(a > coarse.x0 && a < coarse.x1 && b > coarse.y0 && b < coarse.y1).toBe(true);
    }
    // The coarse tile fills the space behind the whole cloud seen from the home camera: each corner's line of sight lands on it.
    const eye = framingOf(extentOf(layout.current!.view, 8, 0), false, 50, 1).position;
    for (let i = 0; i < 8; i++) {
      const p = layout.current!.view.subarray(i * 3, i * 3 + 3);
      const t = (depthAlong(plane.normal, plane.origin) - depthAlong(plane.normal, eye)) / (depthAlong(plane.normal, p) - depthAlong(plane.normal, eye));
      const [a, b] = planeCoordinates(plane, eye.map((v, k) => v + (p[k] - v) * t) as Vec3);
      expect(a > coarse.x0 && a < coarse.x1 && b > coarse.y0 && b < coarse.y1).toBe(true);
    }

    // Orbiting (another side, closer) keeps the plane: tiles are cut from the same wall, and the coarse one is not decoded again.
    map.viewChanged({ ...home(3), camera: { position: [-2.5, 1, 1], target: [0, 0, 0] } });
    await settle();
    expect(map.tiles.length).toBeGreaterThan(1);
    expect(map.tiles.every((t) => t.plane === plane)).toBe(true);
    expect(map.tiles.find((t) => t.level === 0)).toBe(coarse);

    // A new layout lays a new plane.
    layout.current = cube(2);
    map.viewChanged(home(12));
    await settle();
    expect(map.tiles).toHaveLength(1);
    expect(map.tiles[0].plane).not.toBe(plane);
  });

  it('keeps the flat view on z = 0', async () => {
    const layout = { current: layoutOf() as Layout | null };
    const { map } = mapWith(layout);
    map.toggle();
    map.viewChanged(far);
    await settle();
    expect(map.tiles[0].plane).toEqual(FLAT_PLANE);
  });
});
