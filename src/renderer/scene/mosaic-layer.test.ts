/**
 * The mosaic layer's GL objects in Node (three builds them without a GL context): thumbnails of
 * several atlas pages are one draw over one texture array, and turning the mosaic off frees them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DataArrayTexture, PerspectiveCamera, Points, Scene, ShaderMaterial } from 'three';
import { ATLAS_COLUMNS, ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';
import { MAX_PAGES, createMosaicLayer, type MosaicLayer } from './mosaic-layer';
import { MOSAIC_DOTS_LOD_POINTS } from './mosaic-lod';
import { LOD_POINTS } from './lod';
import { createPointCloud } from './point-cloud';
import type { Stage } from './stage';

const COUNT = 3 * ATLAS_PAGE_SIZE - 100;

function fakeStage(): { stage: Stage; frame(now: number): void } {
  const steps = new Set<(now: number) => boolean>();
  const camera = new PerspectiveCamera(50, 1.6, 0.01, 1000);
  camera.position.set(0, 0, 3);
  const stage = {
    scene: new Scene(),
    camera,
    canvas: { height: 800 },
    pixelRatio: 1,
    requestRender() {},
    precompile() {},
    onFrame(step: (now: number) => boolean) {
      steps.add(step);
      return () => steps.delete(step);
    },
  } as unknown as Stage;
  return {
    stage,
    frame(now) {
      camera.updateMatrixWorld();
      for (const step of steps) step(now);
    },
  };
}

function grayPage(page: number): Atlas {
  const first = page * ATLAS_PAGE_SIZE;
  const count = Math.min(ATLAS_PAGE_SIZE, COUNT - first);
  const rows = Math.ceil(count / ATLAS_COLUMNS);
  return { page, first, count, cols: ATLAS_COLUMNS, rows, thumb: 4, channels: 1, pixels: new Uint8Array(rows * 4 * ATLAS_COLUMNS * 4).fill(page + 1) };
}

const mosaicObjects = (scene: Scene): Points[] =>
  scene.children.filter((o): o is Points => o instanceof Points && (o.material as ShaderMaterial).uniforms?.uAtlas !== undefined);

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

let layer: MosaicLayer | null = null;
afterEach(() => layer?.dispose());

describe('mosaic layer', () => {
  it('draws the thumbnails of every page in one draw over one texture array, and frees it all when turned off', async () => {
    const { stage, frame } = fakeStage();
    const cloud = createPointCloud(stage);
    const positions = new Float32Array(COUNT * 3);
    // A small cloud in front of the camera: every point is near enough to be a thumbnail.
    for (let i = 0; i < COUNT * 3; i++) positions[i] = (((i * 7919) % 1000) / 1000 - 0.5) * 0.5;
    cloud.setPositions(positions, COUNT, 0);
    const before = stage.scene.children.length;
    layer = createMosaicLayer(stage, cloud);
    const loaded: number[] = [];
    layer.set({ size: 1, loadPage: (page) => (loaded.push(page), Promise.resolve(grayPage(page))) });
    frame(0);
    await settle();
    frame(1000);

    expect(loaded.sort()).toEqual([0, 1, 2]);
    expect(layer.stats.loading).toBe(0);
    const drawn = mosaicObjects(stage.scene);
    expect(drawn).toHaveLength(1);
    const material = drawn[0].material as ShaderMaterial;
    const texture = material.uniforms.uAtlas.value as DataArrayTexture;
    expect(texture).toBeInstanceOf(DataArrayTexture);
    expect(texture.image.depth).toBe(3);
    expect(layer.stats.textures).toBe(3);
    expect(layer.stats.thumbnails).toBeGreaterThan(2000);
    expect(drawn[0].geometry.drawRange.count).toBeGreaterThanOrEqual(layer.stats.thumbnails);
    // Each gathered vertex names its page's layer; all three layers are in use.
    const cells = drawn[0].geometry.getAttribute('aCell').array as Float32Array;
    const layers = new Set<number>();
    for (let k = 0; k < drawn[0].geometry.drawRange.count; k++) layers.add(cells[k * 3 + 2]);
    expect([...layers].sort()).toEqual([0, 1, 2]);

    // Picking's view of it: the point nearest the camera is a thumbnail as wide as the shader draws it
    // (capped at 40 px), the farthest is a dot (beyond the budget's radius), and a hidden one is not drawn.
    const byDepth = Array.from({ length: COUNT }, (_, i) => i).sort((a, b) => positions[b * 3 + 2] - positions[a * 3 + 2]);
    const [nearest, farthest] = [byDepth[0], byDepth[COUNT - 1]];
    expect(layer.footprint.worldSize).toBeGreaterThan(0);
    expect(layer.footprint.sidePx(nearest)).toBeGreaterThan(6);
    expect(layer.footprint.sidePx(nearest)).toBeLessThanOrEqual(40);
    expect(layer.footprint.sidePx(farthest)).toBe(0);
    const hidden = new Uint8Array(COUNT);
    hidden[nearest] = 1;
    cloud.setHidden(hidden);
    expect(layer.footprint.sidePx(nearest)).toBe(0);
    expect(layer.footprint.sidePx(byDepth[1])).toBeGreaterThan(6);

    const disposed: string[] = [];
    texture.addEventListener('dispose', () => disposed.push('texture'));
    material.addEventListener('dispose', () => disposed.push('material'));
    drawn[0].geometry.addEventListener('dispose', () => disposed.push('geometry'));
    layer.set(null);
    expect(disposed.sort()).toEqual(['geometry', 'material', 'texture']);
    expect(mosaicObjects(stage.scene)).toHaveLength(0);
    expect(stage.scene.children.length).toBe(before);
    expect(layer.footprint.worldSize).toBe(0);
    expect(layer.footprint.sidePx(byDepth[1])).toBe(0);
    expect(layer.stats).toEqual({ textures: 0, thumbnails: 0, loading: 0 });
  });

  it('drops a page that arrives after the mosaic was turned off', async () => {
    const { stage, frame } = fakeStage();
    const cloud = createPointCloud(stage);
    cloud.setPositions(new Float32Array(COUNT * 3), COUNT, 0);
    layer = createMosaicLayer(stage, cloud);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    layer.set({ size: 1, loadPage: (page) => gate.then(() => grayPage(page)) });
    frame(0);
    layer.set(null);
    release();
    await settle();
    expect(mosaicObjects(stage.scene)).toHaveLength(0);
    expect(layer.stats.textures).toBe(0);
  });

  it('keeps every page of a 70,000-image dataset (fewer layers than pages: an orbit keeps fetching pages again)', () => {
    expect(MAX_PAGES * ATLAS_PAGE_SIZE).toBeGreaterThanOrEqual(70_000);
  });

  it('thins the moving dots to MOSAIC_DOTS_LOD_POINTS while the mosaic is on, and gives the cloud its own level of detail back when off', () => {
    const { stage, frame } = fakeStage();
    const cloud = createPointCloud(stage);
    const n = 40_000;
    cloud.setPositions(
      new Float32Array(n * 3).map((_, k) => ((k * 7919) % 1000) / 1000),
      n,
      0,
    );
    const subsetDrawn = (): number => {
      const subset = stage.scene.children.find(
        (o): o is Points => o instanceof Points && o.visible && o.geometry !== cloud.geometry && !mosaicObjects(stage.scene).includes(o),
      );
      return subset ? subset.geometry.drawRange.count : 0;
    };
    layer = createMosaicLayer(stage, cloud);
    layer.set({ size: 1, loadPage: () => new Promise<Atlas>(() => {}) });
    frame(0);
    expect(cloud.lodActive).toBe(true);
    expect(subsetDrawn()).toBe(MOSAIC_DOTS_LOD_POINTS);
    expect(MOSAIC_DOTS_LOD_POINTS).toBeLessThan(LOD_POINTS);
    // Off: 40,000 points are below LOD_ABOVE, so the moving cloud is drawn whole again.
    layer.set(null);
    stage.camera.position.x += 1;
    frame(10);
    expect(cloud.lodActive).toBe(false);
  });
});
