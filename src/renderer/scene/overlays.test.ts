import { describe, expect, it, vi } from 'vitest';
import { BufferAttribute, LineSegments, Scene, type Object3D } from 'three';
import { createOverlays } from './overlays';
import type { Stage } from './stage';

function fakeStage() {
  const scene = new Scene();
  const precompiled: Object3D[] = [];
  const stage = { scene, pixelRatio: 1, requestRender: vi.fn(), precompile: (root: Object3D) => precompiled.push(root) } as unknown as Stage;
  return { stage, scene, precompiled };
}

const axisLines = (scene: Scene): LineSegments[] => {
  const lines: LineSegments[] = [];
  scene.traverse((o) => {
    if (o instanceof LineSegments) lines.push(o);
  });
  return lines;
};

describe("the view axes and the first frame's shaders", () => {
  it('exist, hidden, before any layout and are handed to precompile', () => {
    const { stage, scene, precompiled } = fakeStage();
    createOverlays(stage);
    const lines = axisLines(scene);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => !l.visible)).toBe(true);
    expect(precompiled.some((root) => lines.every((l) => isUnder(l, root)))).toBe(true);
  });

  it('are rescaled in place: the same materials (the compiled programs), shown, spanning ±1.15 × the radius', () => {
    const { stage, scene } = fakeStage();
    const overlays = createOverlays(stage);
    const materials = axisLines(scene).map((l) => l.material);
    overlays.setAxesRadius(2);
    const lines = axisLines(scene);
    expect(lines.map((l) => l.material)).toEqual(materials);
    expect(lines.every((l) => l.visible)).toBe(true);
    const x = Array.from((lines[0].geometry.getAttribute('position') as BufferAttribute).array);
    expect(x[0]).toBeCloseTo(-2.3);
    expect(x[3]).toBeCloseTo(2.3);
    expect(lines[0].geometry.boundingSphere?.radius).toBeCloseTo(2.3);
  });
});

function isUnder(o: Object3D, root: Object3D): boolean {
  for (let p: Object3D | null = o; p; p = p.parent) if (p === root) return true;
  return false;
}
