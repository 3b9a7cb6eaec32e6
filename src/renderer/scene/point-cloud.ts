/**
 * The dataset's points as one three.js Points object. A glide between two layouts of the same
 * points keeps both in the geometry (`position`, `positionTo`) and moves one uniform per frame.
 */
import { BufferAttribute, BufferGeometry, Points, ShaderMaterial } from 'three';
import { POINT_FRAGMENT, POINT_VERTEX } from './shaders';
import { createLod } from './lod';
import type { Stage } from './stage';
import { easeInOut, type Vec3 } from './types';

export interface PointCloud {
  readonly count: number;
  /** The targets of the current layout (where the points end up). */
  readonly positions: Float32Array;
  /** Per point, non-zero: hidden (and not pickable); null shows all. */
  readonly hidden: Uint8Array | null;
  /** The sprite's size in CSS pixels (picking uses it). */
  readonly spritePx: number;
  /** New positions: a glide when the count is unchanged and `animateMs` > 0, else a jump. */
  setPositions(view: Float32Array, n: number, animateMs: number): void;
  /** How long the running glide lasts (0: none). */
  readonly glideMs: number;
  setColors(rgb: Float32Array): void;
  setHidden(mask: Uint8Array | null): void;
  /** Per point 0 normal, 1 dimmed, 2 highlighted; null: all normal. */
  setMarks(marks: Uint8Array | null): void;
  setScale(scale: number): void;
  /** Level of detail while the view moves (on by default; it applies above LOD_ABOVE points). */
  setLod(enabled: boolean): void;
  /** Whether the last frame drew the level-of-detail subset. */
  readonly lodActive: boolean;
  /** Thin clouds above `count` points to `points` while moving (default LOD_ABOVE, LOD_POINTS; the mosaic asks for less). */
  setLodAbove(count: number, points?: number): void;
  /** Where point i is drawn now (mid-glide included). */
  positionOf(i: number): Vec3 | null;
  /** The full cloud's geometry: other layers (the mosaic) draw from its attributes. */
  readonly geometry: BufferGeometry;
  /** The glide's uniform (0: at `position`, 1: at `positionTo`), shared with those layers. */
  readonly mixUniform: { value: number };
  dispose(): void;
}

export function createPointCloud(stage: Stage): PointCloud {
  const geometry = new BufferGeometry();
  // Empty until the first layout, but there: three.js keys a program on whether the geometry has a
  // position, and the program precompiled below must be the one the cloud draws with.
  geometry.setAttribute('position', new BufferAttribute(new Float32Array(0), 3));
  geometry.setAttribute('positionTo', new BufferAttribute(new Float32Array(0), 3));
  const material = new ShaderMaterial({
    uniforms: { uMix: { value: 0 }, uSize: { value: 3 * stage.pixelRatio } },
    vertexShader: POINT_VERTEX,
    fragmentShader: POINT_FRAGMENT,
  });
  const points = new Points(geometry, material);
  points.frustumCulled = false;
  stage.scene.add(points);
  // Compiled and linked while the page waits for its data, as the axes are (overlays.ts), not in the first frame of points.
  stage.precompile(points);

  let count = 0;
  let from = new Float32Array(0);
  let to = new Float32Array(0);
  let hidden: Uint8Array | null = null;
  let scale = 1;
  let baseSize = 3;
  let glide: { start: number; duration: number } | null = null;
  const mix = (): number => material.uniforms.uMix.value as number;

  function finishGlide(): void {
    glide = null;
    from.set(to);
    (geometry.getAttribute('position') as BufferAttribute).needsUpdate = true;
    material.uniforms.uMix.value = 0;
  }

  const lod = createLod(
    stage,
    points,
    material,
    () => count,
    () => glide !== null,
  );
  const offFrame = stage.onFrame((now) => {
    if (!glide) return false;
    const t = Math.min(1, (now - glide.start) / glide.duration);
    material.uniforms.uMix.value = easeInOut(t);
    if (t < 1) return true;
    finishGlide();
    return false;
  });

  function updateSize(): void {
    // Smaller sprites for bigger clouds: ~5 px for 2k points, ~3 px for 70k, 2 px for 1M.
    baseSize = Math.max(2, Math.min(6, 11 - 1.6 * Math.log10(Math.max(10, count))));
    material.uniforms.uSize.value = baseSize * scale * stage.pixelRatio;
    stage.requestRender();
  }

  return {
    get count() {
      return count;
    },
    get positions() {
      return to;
    },
    get hidden() {
      return hidden;
    },
    get spritePx() {
      return baseSize * scale;
    },
    get glideMs() {
      return glide?.duration ?? 0;
    },
    setPositions(view, n, animateMs) {
      const positions = view.subarray(0, n * 3);
      if (n === count && animateMs > 0 && count > 0) {
        // Glide from where the points are drawn now (even mid-glide) to the new layout.
        const m = mix();
        if (m > 0) for (let i = 0; i < from.length; i++) from[i] += (to[i] - from[i]) * m;
        to.set(positions);
        (geometry.getAttribute('position') as BufferAttribute).needsUpdate = true;
        (geometry.getAttribute('positionTo') as BufferAttribute).needsUpdate = true;
        material.uniforms.uMix.value = 0;
        glide = { start: performance.now(), duration: animateMs };
      } else {
        glide = null;
        material.uniforms.uMix.value = 0;
        count = n;
        from = new Float32Array(positions);
        to = new Float32Array(positions);
        geometry.setAttribute('position', new BufferAttribute(from, 3));
        geometry.setAttribute('positionTo', new BufferAttribute(to, 3));
        if (!geometry.getAttribute('aColor') || geometry.getAttribute('aColor').count !== n) {
          geometry.setAttribute('aColor', new BufferAttribute(new Float32Array(n * 3).fill(0.6), 3));
        }
        if (!geometry.getAttribute('aHidden') || geometry.getAttribute('aHidden').count !== n) {
          geometry.setAttribute('aHidden', new BufferAttribute(new Float32Array(n), 1));
          hidden = null;
        }
        if (!geometry.getAttribute('aMark') || geometry.getAttribute('aMark').count !== n) {
          geometry.setAttribute('aMark', new BufferAttribute(new Float32Array(n), 1));
        }
        geometry.setDrawRange(0, n);
        updateSize();
      }
      stage.requestRender();
    },
    setColors(rgb) {
      const attr = geometry.getAttribute('aColor') as BufferAttribute | undefined;
      if (attr && attr.count * 3 === rgb.length) {
        (attr.array as Float32Array).set(rgb);
        attr.needsUpdate = true;
      } else geometry.setAttribute('aColor', new BufferAttribute(new Float32Array(rgb), 3));
      stage.requestRender();
    },
    setHidden(mask) {
      hidden = mask && mask.length >= count ? mask : null;
      const attr = geometry.getAttribute('aHidden') as BufferAttribute | undefined;
      if (!attr) return;
      const a = attr.array as Float32Array;
      for (let i = 0; i < count; i++) a[i] = hidden ? hidden[i] : 0;
      attr.needsUpdate = true;
      stage.requestRender();
    },
    setMarks(marks) {
      const attr = geometry.getAttribute('aMark') as BufferAttribute | undefined;
      if (!attr) return;
      const a = attr.array as Float32Array;
      for (let i = 0; i < count; i++) a[i] = marks && i < marks.length ? marks[i] : 0;
      attr.needsUpdate = true;
      stage.requestRender();
    },
    setLod: (enabled) => lod.setEnabled(enabled),
    setLodAbove: (n, points) => lod.setAbove(n, points),
    get lodActive() {
      return lod.active;
    },
    setScale(s) {
      scale = s;
      updateSize();
    },
    geometry,
    mixUniform: material.uniforms.uMix as { value: number },
    positionOf(i) {
      if (i < 0 || i >= count) return null;
      const m = mix();
      return [0, 1, 2].map((a) => from[i * 3 + a] + (to[i * 3 + a] - from[i * 3 + a]) * m) as Vec3;
    },
    dispose() {
      offFrame();
      lod.dispose();
      stage.scene.remove(points);
      geometry.dispose();
      material.dispose();
    },
  };
}
