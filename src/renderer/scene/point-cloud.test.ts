import { describe, expect, it } from 'vitest';
import { BufferGeometry, Points, Scene, type Object3D } from 'three';
import { createPointCloud } from './point-cloud';
import type { Stage } from './stage';

describe('the point cloud', () => {
  it('is handed to precompile before any layout, with the attributes three.js keys its program on', () => {
    const handed: { root: Object3D; position: boolean }[] = [];
    const stage = {
      scene: new Scene(),
      pixelRatio: 1,
      requestRender() {},
      onFrame: () => () => {},
      // What three.js reads when it picks the program: a geometry without a position gets another one.
      precompile: (root: Object3D) => handed.push({ root, position: ((root as Points).geometry as BufferGeometry).getAttribute('position') !== undefined }),
    } as unknown as Stage;
    const cloud = createPointCloud(stage);
    expect(cloud.count).toBe(0);
    expect(handed).toHaveLength(1);
    expect(handed[0].root).toBeInstanceOf(Points);
    expect((handed[0].root as Points).geometry).toBe(cloud.geometry);
    expect(handed[0].position).toBe(true);
  });
});
