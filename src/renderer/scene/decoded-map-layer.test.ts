/**
 * The decoded map layer's GL objects in Node (three builds them without a GL context): tiles lie on
 * their plane, and tiles of another plane (the flat view turned 3D) replace them, freeing theirs.
 */
import { describe, expect, it } from 'vitest';
import { Mesh, MeshBasicMaterial, PlaneGeometry, Scene } from 'three';
import { createDecodedMapLayer, type MapTile } from './decoded-map-layer';
import { FLAT_PLANE, backdropPlane, nearDepth, planePoint, type MapPlane } from './map-plane';
import type { Stage } from './stage';

const stageOf = (scene: Scene): Stage => ({ scene, requestRender() {} }) as unknown as Stage;
const image = { width: 2, height: 2, channels: 1, pixels: new Uint8Array(4).fill(100) };
const tile = (prefix: string, plane: MapPlane, tx: number): MapTile => ({
  key: `${prefix}|0/${tx}/0`,
  level: 0,
  x0: tx,
  y0: 0,
  x1: tx + 1,
  y1: 1,
  plane,
  image,
});

describe('decoded map layer', () => {
  it('lays each tile on its plane: flat on z = 0, in 3D on the backdrop', () => {
    const layer = createDecodedMapLayer(stageOf(new Scene()));
    layer.setTiles([tile('2d', FLAT_PLANE, 0)]);
    expect(layer.corners().map((p) => p.map((v) => v + 0))).toEqual(
      expect.arrayContaining([
        [0, 0, 0],
        [1, 1, 0],
      ]),
    );
    const plane = backdropPlane(Float32Array.of(-1, -1, -1, 1, 1, 1), 2, [0.5, 0.38, 1]);
    layer.setTiles([tile('3d', plane, 2)]);
    const corners = layer.corners();
    expect(corners).toHaveLength(4);
    // Every corner at the plane's depth, and the tile's own corners where the plane puts them.
    for (const p of corners)
      expect(-(p[0] * plane.normal[0] + p[1] * plane.normal[1] + p[2] * plane.normal[2])).toBeCloseTo(nearDepth(plane.normal, [plane.origin]), 5);
    for (const [a, b] of [
      [2, 0],
      [3, 1],
    ]) {
      const q = planePoint(plane, a, b);
      expect(corners.some((p) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) < 1e-5)).toBe(true);
    }
    layer.dispose();
  });

  it('frees the flat tiles’ geometry, texture and material when the view turns 3D, and the rest on dispose', () => {
    const scene = new Scene();
    const layer = createDecodedMapLayer(stageOf(scene));
    layer.setTiles([tile('2d', FLAT_PLANE, 0), tile('2d', FLAT_PLANE, 1)]);
    const flat = scene.children.filter((o): o is Mesh<PlaneGeometry, MeshBasicMaterial> => o instanceof Mesh);
    expect(flat).toHaveLength(2);
    let freed = 0;
    for (const mesh of flat) {
      mesh.geometry.addEventListener('dispose', () => freed++);
      mesh.material.addEventListener('dispose', () => freed++);
      mesh.material.map?.addEventListener('dispose', () => freed++);
    }
    const plane = backdropPlane(Float32Array.of(-1, -1, -1, 1, 1, 1), 2, [0.5, 0.38, 1]);
    layer.setTiles([tile('3d', plane, 0)]);
    expect(freed).toBe(6);
    expect(scene.children.filter((o) => o instanceof Mesh)).toHaveLength(1);
    expect(layer.stats.tiles).toBe(1);
    layer.dispose();
    expect(scene.children).toHaveLength(0);
  });
});
