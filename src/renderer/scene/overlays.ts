/**
 * What the scene draws over the points: the faint view axes, the prior N(0, I)'s 1σ and 2σ shells
 * (spheres for d = 3, circles for d = 2; identity views only) and a path (a polyline with ringed
 * keyframes, e.g. an interpolation).
 */
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  Group,
  Line,
  LineBasicMaterial,
  LineLoop,
  LineSegments,
  type Material,
  type Mesh,
  type Object3D,
  Points,
  ShaderMaterial,
} from 'three';
import { RING_FRAGMENT, RING_VERTEX } from './shaders';
import type { Stage } from './stage';

export type ShellMode = 'none' | '2d' | '3d';

export interface PathOptions {
  /** k × 3 keyframe positions, drawn as rings on the path. */
  keyframes?: Float32Array | null;
  color?: string;
}

export interface Overlays {
  /** Axes sized to a layout's radius. */
  setAxesRadius(radius: number): void;
  setAxes(visible: boolean): void;
  setShells(mode: ShellMode): void;
  /** A polyline through view positions (n × 3); null removes it. */
  setPath(points: Float32Array | null, options?: PathOptions): void;
  /** Line segments (2 × 3 numbers each) with a colour per end point; null removes them. */
  setContours(positions: Float32Array | null, colors: Float32Array | null): void;
  dispose(): void;
}

const SHELL_COLOR = '#9fb3d1';
const AXIS_COLORS = ['#a5535a', '#5d8f57', '#5573a8'];

function circle(radius: number, plane: 'xy' | 'xz' | 'yz', segments = 96): Float32Array {
  const out = new Float32Array(segments * 3);
  for (let i = 0; i < segments; i++) {
    const a = (i / segments) * Math.PI * 2;
    const u = Math.cos(a) * radius;
    const v = Math.sin(a) * radius;
    out.set(plane === 'xy' ? [u, v, 0] : plane === 'xz' ? [u, 0, v] : [0, u, v], i * 3);
  }
  return out;
}

function ringMaterial(color: Color, size: number, fill = 0): ShaderMaterial {
  return new ShaderMaterial({
    uniforms: { uSize: { value: size }, uColor: { value: color }, uFill: { value: fill } },
    vertexShader: RING_VERTEX,
    fragmentShader: RING_FRAGMENT,
    transparent: true,
    depthTest: false,
    depthWrite: false,
  });
}

/** Releases every geometry and material under `root` and empties it. */
export function clearTree(root: Object3D): void {
  root.traverse((o) => {
    const m = o as Mesh;
    m.geometry?.dispose();
    const mat = m.material as Material | Material[] | undefined;
    if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
    else mat?.dispose();
  });
  root.clear();
}

export function createOverlays(stage: Stage): Overlays {
  const axes = new Group();
  const shells = new Group();
  const path = new Group();
  path.renderOrder = 9;
  const contours = new Group();
  stage.scene.add(shells, axes, path, contours);
  // The axes are built once and only rescaled, so their shader program is compiled while the page
  // waits for its data rather than on the first frame of points (a long wait on software GL).
  const axisLines = AXIS_COLORS.map((color) => {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(new Float32Array(6), 3));
    const line = new LineSegments(g, new LineBasicMaterial({ color, transparent: true, opacity: 0.45, depthWrite: false }));
    line.visible = false;
    return line;
  });
  axes.add(...axisLines);
  stage.precompile(axes);
  let shellMode: ShellMode = 'none';

  return {
    setAxesRadius(radius) {
      const L = radius * 1.15;
      axisLines.forEach((line, a) => {
        const position = line.geometry.getAttribute('position') as BufferAttribute;
        const v = position.array as Float32Array;
        v.fill(0);
        v[a] = -L;
        v[3 + a] = L;
        position.needsUpdate = true;
        line.geometry.computeBoundingSphere();
        line.visible = true;
      });
      stage.requestRender();
    },
    setAxes(visible) {
      if (axes.visible === visible) return;
      axes.visible = visible;
      stage.requestRender();
    },
    setShells(mode) {
      if (mode === shellMode) return;
      shellMode = mode;
      clearTree(shells);
      const planes: ('xy' | 'xz' | 'yz')[] = mode === '3d' ? ['xy', 'xz', 'yz'] : mode === '2d' ? ['xy'] : [];
      for (const [r, opacity] of [
        [1, 0.7],
        [2, 0.42],
      ] as const) {
        for (const plane of planes) {
          const g = new BufferGeometry();
          g.setAttribute('position', new BufferAttribute(circle(r, plane), 3));
          // Drawn over the points: the shells sit inside the cloud.
          const loop = new LineLoop(g, new LineBasicMaterial({ color: SHELL_COLOR, transparent: true, opacity, depthWrite: false, depthTest: false }));
          loop.renderOrder = 5;
          shells.add(loop);
        }
      }
      stage.requestRender();
    },
    setPath(positions, options = {}) {
      clearTree(path);
      if (positions && positions.length >= 6) {
        const color = new Color(options.color ?? '#7cc4ff');
        const g = new BufferGeometry();
        g.setAttribute('position', new BufferAttribute(new Float32Array(positions), 3));
        const line = new Line(g, new LineBasicMaterial({ color, transparent: true, opacity: 0.95, depthTest: false }));
        line.renderOrder = 9;
        path.add(line);
        if (options.keyframes && options.keyframes.length >= 3) {
          const kg = new BufferGeometry();
          kg.setAttribute('position', new BufferAttribute(new Float32Array(options.keyframes), 3));
          const keys = new Points(kg, ringMaterial(color, 18 * stage.pixelRatio, 1));
          keys.renderOrder = 10;
          path.add(keys);
        }
      }
      stage.requestRender();
    },
    setContours(positions, colors) {
      clearTree(contours);
      if (positions && positions.length >= 6) {
        const g = new BufferGeometry();
        g.setAttribute('position', new BufferAttribute(new Float32Array(positions), 3));
        if (colors) g.setAttribute('color', new BufferAttribute(new Float32Array(colors), 3));
        // Drawn over the points (a map of where they are is no use hidden inside the cloud), under the shells and path.
        const lines = new LineSegments(
          g,
          new LineBasicMaterial({ vertexColors: Boolean(colors), transparent: true, opacity: 0.85, depthWrite: false, depthTest: false }),
        );
        lines.renderOrder = 4;
        contours.add(lines);
      }
      stage.requestRender();
    },
    dispose() {
      for (const g of [axes, shells, path, contours]) {
        clearTree(g);
        stage.scene.remove(g);
      }
    },
  };
}
