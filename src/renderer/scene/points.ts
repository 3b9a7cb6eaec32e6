/**
 * The 3D view: the dataset's points as one three.js Points object (round, shaded sprites drawn by a
 * small shader that also morphs between two layouts on the GPU), the prior's 1σ/2σ shells, a path
 * overlay, orbit/zoom/pan, and the 3D cursor's position and drag (on the plane facing the camera).
 * Picking goes through a PointIndex built once per layout, so a click costs what the cursor's
 * neighbourhood holds, not what the cloud holds. The markers (hovered, selected, cursor) are DOM
 * overlays placed with toScreen(), so they move without re-rendering the cloud.
 *
 * No side effects at import; everything created here is released by dispose(). Renders on demand
 * (a change, a camera move, an animation frame), never in an idle loop.
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
  type Mesh,
  PerspectiveCamera,
  Plane,
  Points,
  Raycaster,
  Scene as ThreeScene,
  ShaderMaterial,
  Vector2,
  Vector3,
  WebGLRenderer,
  type Material,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { PointIndex } from '../../shared/point-index';

export type Vec3 = [number, number, number];

export interface SceneCallbacks {
  /** The point under the pointer changed (null: none), with the pointer's client position. */
  onHover?(index: number | null, clientX: number, clientY: number): void;
  /** A click on a point. */
  onPointClick?(index: number): void;
  /** A click on empty space: the spot on the plane through the orbit target, facing the camera. */
  onSpaceClick?(p: Vec3): void;
  /** The 3D cursor is dragged (on the plane through it, facing the camera). */
  onCursorDrag?(p: Vec3, phase: 'start' | 'move' | 'end'): void;
}

export interface CameraState {
  position: Vec3;
  target: Vec3;
}

export interface PathOptions {
  /** k × 3 keyframe positions, drawn as rings on the path. */
  keyframes?: Float32Array | null;
  color?: string;
}

export interface LatentScene {
  /**
   * Shows count × 3 positions. When the count is unchanged the points glide from where they are
   * (`animateMs`, default 700; 0 jumps). `frame` re-centres the camera on the new layout (the
   * first layout always is; 'auto': when its size changed a lot), with the points when they glide,
   * at once otherwise; the framed radius is at least `minRadius` (e.g. the prior's 2σ shell).
   */
  setLayout(view: Float32Array, count: number, options?: { animateMs?: number; frame?: boolean | 'auto'; minRadius?: number }): void;
  /** The faint view axes (meaningless in a UMAP view). */
  setAxes(visible: boolean): void;
  /** count × 3 colours in 0…1. */
  setColors(rgb: Float32Array): void;
  /** Per point, non-zero hides it (and it cannot be picked); null shows all. */
  setHidden(mask: Uint8Array | null): void;
  setPointScale(scale: number): void;
  setHovered(index: number | null): void;
  setSelected(index: number | null): void;
  setCursor(p: Vec3 | null): void;
  /** The prior N(0, I)'s 1σ and 2σ shells: spheres for d = 3, circles for d = 2 (identity views only). */
  setShells(mode: 'none' | '2d' | '3d'): void;
  /** A polyline through view positions (n × 3), e.g. an interpolation path; null removes it. */
  setPath(points: Float32Array | null, options?: PathOptions): void;
  resetView(animate?: boolean): void;
  getCamera(): CameraState;
  setCamera(camera: CameraState): void;
  /** The point under a client position, or null. */
  pick(clientX: number, clientY: number): number | null;
  /** The spot under a client position on the plane through `through` (default: the orbit target) facing the camera. */
  spotAt(clientX: number, clientY: number, through?: Vec3): Vec3 | null;
  /** A view position in client (CSS pixel) coordinates, or null when it is behind the camera. */
  toScreen(p: Vec3): { x: number; y: number } | null;
  /** The current (possibly mid-animation) position of a point. */
  positionOf(index: number): Vec3 | null;
  /** Called after every camera move (DOM overlays follow the scene with toScreen). */
  onCameraChange(listener: () => void): () => void;
  readonly pointCount: number;
  /** The three.js parts, for overlays of other modules (they add objects and ask for a render). */
  readonly parts: { scene: ThreeScene; camera: PerspectiveCamera; controls: OrbitControls; requestRender(): void };
  /** Milliseconds the last pick took, and how many picks ran. */
  readonly pickStats: { lastMs: number; count: number; totalMs: number };
  dispose(): void;
}

const POINT_VERTEX = /* glsl */ `
attribute vec3 positionTo;
attribute vec3 aColor;
attribute float aHidden;
uniform float uMix;
uniform float uSize;
varying vec3 vColor;
void main() {
  vec3 p = mix(position, positionTo, uMix);
  vec4 mv = modelViewMatrix * vec4(p, 1.0);
  gl_Position = aHidden > 0.5 ? vec4(2.0, 2.0, 2.0, 1.0) : projectionMatrix * mv;
  // Slightly larger up close, never below the base size.
  gl_PointSize = uSize * clamp(3.0 / -mv.z, 1.0, 2.5);
  vColor = aColor;
}`;

const POINT_FRAGMENT = /* glsl */ `
varying vec3 vColor;
void main() {
  vec2 c = gl_PointCoord - 0.5;
  float r2 = dot(c, c);
  if (r2 > 0.25) discard;
  // A soft rim gives each sprite a little volume.
  float rim = smoothstep(0.10, 0.25, r2);
  gl_FragColor = vec4(vColor * (1.0 - 0.38 * rim) + 0.10 * (1.0 - rim), 1.0);
}`;

const RING_VERTEX = /* glsl */ `
uniform float uSize;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = uSize;
}`;

const RING_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
uniform float uFill;
void main() {
  vec2 c = gl_PointCoord - 0.5;
  float r = length(c);
  if (r > 0.5) discard;
  float ring = smoothstep(0.30, 0.36, r) * (1.0 - smoothstep(0.44, 0.5, r));
  float dark = smoothstep(0.36, 0.30, r) * smoothstep(0.22, 0.28, r);
  float alpha = max(ring, max(dark * 0.6, uFill * step(r, 0.22)));
  if (alpha < 0.02) discard;
  vec3 col = mix(vec3(0.05), uColor, max(ring, uFill * step(r, 0.22)));
  gl_FragColor = vec4(col, alpha);
}`;

const SHELL_COLOR = new Color('#9fb3d1');

const easeInOut = (t: number): number => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

function circle(radius: number, plane: 'xy' | 'xz' | 'yz', segments = 96): Float32Array {
  const out = new Float32Array(segments * 3);
  for (let i = 0; i < segments; i++) {
    const a = (i / segments) * Math.PI * 2;
    const u = Math.cos(a) * radius;
    const v = Math.sin(a) * radius;
    const [x, y, z] = plane === 'xy' ? [u, v, 0] : plane === 'xz' ? [u, 0, v] : [0, u, v];
    out.set([x, y, z], i * 3);
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

function disposeTree(root: Object3D): void {
  root.traverse((o) => {
    const m = o as Mesh;
    m.geometry?.dispose();
    const mat = m.material as Material | Material[] | undefined;
    if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
    else mat?.dispose();
  });
}

export function createScene(canvas: HTMLCanvasElement, callbacks: SceneCallbacks = {}): LatentScene {
  const renderer = new WebGLRenderer({ canvas, antialias: false, alpha: false, powerPreference: 'high-performance', preserveDrawingBuffer: false });
  const pixelRatio = Math.min(window.devicePixelRatio || 1, 2);
  renderer.setPixelRatio(pixelRatio);
  renderer.setClearColor(0x101217);
  const scene = new ThreeScene();
  const camera = new PerspectiveCamera(50, 1, 0.01, 1000);
  camera.position.set(3.2, 2.2, 4.6);

  // Our pointer handlers run before OrbitControls' (registered first), so a drag on the cursor
  // can switch the controls off before they see the press.
  let downAt: { x: number; y: number; t: number; button: number } | null = null;
  let draggingCursor = false;
  let hoverFrame = 0;
  let hoverEvent: { x: number; y: number } | null = null;
  let hovered: number | null = null;

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;
  controls.screenSpacePanning = true;
  controls.zoomSpeed = 1.2;

  // --- the points
  const geometry = new BufferGeometry();
  const material = new ShaderMaterial({
    uniforms: { uMix: { value: 0 }, uSize: { value: 3 * pixelRatio } },
    vertexShader: POINT_VERTEX,
    fragmentShader: POINT_FRAGMENT,
  });
  const points = new Points(geometry, material);
  points.frustumCulled = false;
  scene.add(points);
  let count = 0;
  let from = new Float32Array(0);
  let to = new Float32Array(0);
  let hidden: Uint8Array | null = null;
  let index: PointIndex | null = null;
  let pointScale = 1;
  let baseSize = 3;
  let radius = 2;
  let home: CameraState = { position: [3.2, 2.2, 4.6], target: [0, 0, 0] };
  let framed = false;

  // The hovered and selected points and the 3D cursor are drawn by the page as DOM overlays (at
  // toScreen of their positions): moving them never re-renders the cloud, so dragging the cursor
  // costs a decode, not a frame of the whole cloud.
  let selected: number | null = null;
  let cursorAt: Vec3 | null = null;

  // --- the prior's shells and faint axes
  const shells = new Group();
  scene.add(shells);
  const axes = new Group();
  scene.add(axes);
  let shellMode: 'none' | '2d' | '3d' = 'none';

  // --- the path overlay
  const path = new Group();
  path.renderOrder = 9;
  scene.add(path);

  // --- rendering on demand
  let frame = 0;
  let animation: { start: number; duration: number } | null = null;
  let cameraTween: { start: number; duration: number; from: CameraState; to: CameraState } | null = null;
  const cameraListeners = new Set<() => void>();

  const render = (): void => {
    frame = 0;
    const now = performance.now();
    if (animation) {
      const t = Math.min(1, (now - animation.start) / animation.duration);
      material.uniforms.uMix.value = easeInOut(t);
      if (t >= 1) finishAnimation();
      else requestRender();
    }
    if (cameraTween) {
      const t = easeInOut(Math.min(1, (now - cameraTween.start) / cameraTween.duration));
      const lerp = (a: Vec3, b: Vec3): Vec3 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      camera.position.set(...lerp(cameraTween.from.position, cameraTween.to.position));
      controls.target.set(...lerp(cameraTween.from.target, cameraTween.to.target));
      controls.update();
      if (t >= 1) cameraTween = null;
      else requestRender();
    }
    renderer.render(scene, camera);
    // Overlays follow the camera and gliding points.
    for (const l of cameraListeners) l();
  };
  function requestRender(): void {
    if (!frame) frame = requestAnimationFrame(render);
  }
  const onControlsChange = (): void => requestRender();
  controls.addEventListener('change', onControlsChange);

  function finishAnimation(): void {
    animation = null;
    from.set(to);
    (geometry.getAttribute('position') as BufferAttribute).needsUpdate = true;
    material.uniforms.uMix.value = 0;
  }

  /** Where point i is drawn now (mid-animation included). */
  function currentPosition(i: number): Vec3 {
    const m = material.uniforms.uMix.value as number;
    return [0, 1, 2].map((a) => from[i * 3 + a] + (to[i * 3 + a] - from[i * 3 + a]) * m) as Vec3;
  }

  const resize = (): void => {
    const width = canvas.clientWidth || 1;
    const height = canvas.clientHeight || 1;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    requestRender();
    for (const l of cameraListeners) l();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(canvas);
  resize();

  function updatePointSize(): void {
    // Smaller sprites for bigger clouds: ~5 px for 2k points, ~3 px for 70k, 2 px for 1M.
    baseSize = Math.max(2, Math.min(6, 11 - 1.6 * Math.log10(Math.max(10, count))));
    material.uniforms.uSize.value = baseSize * pointScale * pixelRatio;
    requestRender();
  }

  /** A camera that sees the bulk of the cloud (outliers aside) from a pleasant oblique angle. */
  /** The centre and the radius holding 99.5 % of the points (outliers aside), at least `minRadius`. */
  function extentOf(view: Float32Array, n: number, minRadius: number): { c: number[]; r: number } {
    const step = Math.max(1, Math.floor(n / 20000));
    // The per-axis median: a few far-off points (a young model's outliers) do not pull the centre.
    const c = [0, 1, 2].map((a) => {
      const values: number[] = [];
      for (let i = 0; i < n; i += step) values.push(view[i * 3 + a]);
      values.sort((x, y) => x - y);
      return values.length ? values[Math.floor(values.length / 2)] : 0;
    });
    const dist: number[] = [];
    for (let i = 0; i < n; i += step) dist.push(Math.hypot(view[i * 3] - c[0], view[i * 3 + 1] - c[1], view[i * 3 + 2] - c[2]));
    dist.sort((a, b) => a - b);
    return { c, r: Math.max(dist[Math.floor(dist.length * 0.995)] ?? 1, minRadius, 1e-3) };
  }

  function frameLayout(extent: { c: number[]; r: number }, flat: boolean): CameraState {
    const { c } = extent;
    radius = extent.r;
    // Fit the bulk in the narrower of the two fields of view, with a margin for the overlays.
    const half = (camera.fov * Math.PI) / 360;
    const narrowest = Math.min(half, Math.atan(Math.tan(half) * camera.aspect));
    const distance = (radius / Math.sin(narrowest)) * 1.15;
    // Mostly frontal (the first two axes across the screen), tilted enough to read depth.
    const dir = flat ? new Vector3(0, 0, 1) : new Vector3(0.5, 0.38, 1).normalize();
    camera.near = distance / 200;
    camera.far = distance * 20;
    camera.updateProjectionMatrix();
    return { position: [c[0] + dir.x * distance, c[1] + dir.y * distance, c[2] + dir.z * distance], target: [c[0], c[1], c[2]] };
  }

  function applyCamera(state: CameraState): void {
    cameraTween = null;
    camera.position.set(...state.position);
    controls.target.set(...state.target);
    controls.update();
  }

  function rebuildAxes(): void {
    disposeTree(axes);
    axes.clear();
    const L = radius * 1.15;
    const colors = ['#a5535a', '#5d8f57', '#5573a8'];
    for (let a = 0; a < 3; a++) {
      const g = new BufferGeometry();
      const v = new Float32Array(6);
      v[a] = -L;
      v[3 + a] = L;
      g.setAttribute('position', new BufferAttribute(v, 3));
      axes.add(new LineSegments(g, new LineBasicMaterial({ color: colors[a], transparent: true, opacity: 0.45, depthWrite: false })));
    }
  }

  function rebuildShells(): void {
    disposeTree(shells);
    shells.clear();
    if (shellMode === 'none') return;
    const planes: ('xy' | 'xz' | 'yz')[] = shellMode === '3d' ? ['xy', 'xz', 'yz'] : ['xy'];
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
  }

  // --- pointer interaction
  const ndc = new Vector2();
  const raycaster = new Raycaster();
  const rectOf = (): DOMRect => canvas.getBoundingClientRect();

  function rayAt(clientX: number, clientY: number): Raycaster {
    const rect = rectOf();
    ndc.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    raycaster.setFromCamera(ndc, camera);
    return raycaster;
  }

  const pickStats = { lastMs: 0, count: 0, totalMs: 0 };
  function pick(clientX: number, clientY: number): number | null {
    if (!index || count === 0) return null;
    const started = performance.now();
    const ray = rayAt(clientX, clientY).ray;
    const rect = rectOf();
    // The pick radius in pixels (the sprite's half size, at least 4 px) as a cone around the ray.
    const radiusPx = Math.max(4, (baseSize * pointScale) / 2 + 1.5);
    const perDepth = (radiusPx * 2 * Math.tan((camera.fov * Math.PI) / 360)) / Math.max(1, rect.height);
    const hit = index.raycast([ray.origin.x, ray.origin.y, ray.origin.z], [ray.direction.x, ray.direction.y, ray.direction.z], 0, perDepth, camera.near, hidden);
    const ms = performance.now() - started;
    pickStats.lastMs = ms;
    pickStats.count++;
    pickStats.totalMs += ms;
    return hit ? hit.index : null;
  }

  function spotAt(clientX: number, clientY: number, through?: Vec3): Vec3 | null {
    const normal = new Vector3();
    camera.getWorldDirection(normal);
    const origin = through ? new Vector3(...through) : controls.target.clone();
    const plane = new Plane().setFromNormalAndCoplanarPoint(normal, origin);
    const hit = new Vector3();
    if (!rayAt(clientX, clientY).ray.intersectPlane(plane, hit)) return null;
    return [hit.x, hit.y, hit.z];
  }

  function toScreen(p: Vec3): { x: number; y: number } | null {
    const v = new Vector3(...p).project(camera);
    if (v.z > 1) return null;
    const rect = rectOf();
    return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
  }

  function nearCursor(clientX: number, clientY: number): boolean {
    if (!cursorAt) return false;
    const s = toScreen(cursorAt);
    return s !== null && Math.hypot(s.x - clientX, s.y - clientY) <= 16;
  }

  function setHoveredIndex(i: number | null): void {
    hovered = i;
  }

  const onPointerDown = (e: PointerEvent): void => {
    downAt = { x: e.clientX, y: e.clientY, t: performance.now(), button: e.button };
    if (e.button === 0 && nearCursor(e.clientX, e.clientY)) {
      draggingCursor = true;
      controls.enabled = false;
      try {
        canvas.setPointerCapture(e.pointerId);
      } catch {
        // A synthetic pointer (tests, automation) cannot be captured; the drag works without.
      }
      canvas.style.cursor = 'grabbing';
      callbacks.onCursorDrag?.([...cursorAt!], 'start');
    }
  };
  const onPointerMove = (e: PointerEvent): void => {
    if (draggingCursor) {
      const p = spotAt(e.clientX, e.clientY, cursorAt ?? undefined);
      if (p) {
        cursorAt = p;
        callbacks.onCursorDrag?.(p, 'move');
      }
      return;
    }
    if (e.buttons !== 0) return;
    hoverEvent = { x: e.clientX, y: e.clientY };
    if (!hoverFrame) {
      hoverFrame = requestAnimationFrame(() => {
        hoverFrame = 0;
        if (!hoverEvent) return;
        const { x, y } = hoverEvent;
        const i = pick(x, y);
        canvas.style.cursor = nearCursor(x, y) ? 'grab' : i !== null ? 'pointer' : 'crosshair';
        if (i !== hovered) setHoveredIndex(i);
        callbacks.onHover?.(i, x, y);
      });
    }
  };
  const onPointerUp = (e: PointerEvent): void => {
    const down = downAt;
    downAt = null;
    if (draggingCursor) {
      draggingCursor = false;
      controls.enabled = true;
      try {
        canvas.releasePointerCapture(e.pointerId);
      } catch {
        // Not captured.
      }
      canvas.style.cursor = 'grab';
      if (cursorAt) callbacks.onCursorDrag?.([...cursorAt], 'end');
      return;
    }
    if (!down || down.button !== 0 || e.button !== 0) return;
    const moved = Math.hypot(e.clientX - down.x, e.clientY - down.y);
    if (moved > 5 || performance.now() - down.t > 800) return;
    const i = pick(e.clientX, e.clientY);
    if (i !== null) callbacks.onPointClick?.(i);
    else {
      const p = spotAt(e.clientX, e.clientY);
      if (p) callbacks.onSpaceClick?.(p);
    }
  };
  const onPointerLeave = (): void => {
    hoverEvent = null;
    if (hovered !== null) setHoveredIndex(null);
    callbacks.onHover?.(null, 0, 0);
  };
  canvas.addEventListener('pointerdown', onPointerDown, { capture: true });
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerUp);
  canvas.addEventListener('pointerleave', onPointerLeave);

  return {
    setLayout(view, n, options = {}) {
      const animateMs = options.animateMs ?? 700;
      const positions = view.subarray(0, n * 3);
      if (n === count && animateMs > 0 && count > 0) {
        // Glide from where the points are drawn now (even mid-animation) to the new layout.
        const m = material.uniforms.uMix.value as number;
        if (m > 0) for (let i = 0; i < from.length; i++) from[i] += (to[i] - from[i]) * m;
        to.set(positions);
        (geometry.getAttribute('position') as BufferAttribute).needsUpdate = true;
        (geometry.getAttribute('positionTo') as BufferAttribute).needsUpdate = true;
        material.uniforms.uMix.value = 0;
        animation = { start: performance.now(), duration: animateMs };
      } else {
        animation = null;
        material.uniforms.uMix.value = 0;
        count = n;
        from = new Float32Array(positions);
        to = new Float32Array(positions);
        geometry.setAttribute('position', new BufferAttribute(from, 3));
        geometry.setAttribute('positionTo', new BufferAttribute(to, 3));
        if (!geometry.getAttribute('aColor') || geometry.getAttribute('aColor').count !== n) {
          const grey = new Float32Array(n * 3).fill(0.6);
          geometry.setAttribute('aColor', new BufferAttribute(grey, 3));
        }
        if (!geometry.getAttribute('aHidden') || geometry.getAttribute('aHidden').count !== n) {
          geometry.setAttribute('aHidden', new BufferAttribute(new Float32Array(n), 1));
          hidden = null;
        }
        geometry.setDrawRange(0, n);
        if (hovered !== null && hovered >= n) setHoveredIndex(null);
        if (selected !== null && selected >= n) this.setSelected(null);
        updatePointSize();
      }
      index = new PointIndex(to, n);
      const extent = extentOf(positions, n, options.minRadius ?? 0);
      // 'auto' re-frames only when the cloud grew, shrank or moved a lot (a model forming as it trains).
      const moved = Math.hypot(extent.c[0] - home.target[0], extent.c[1] - home.target[1], extent.c[2] - home.target[2]);
      const reframe = options.frame === true || !framed || (options.frame === 'auto' && (extent.r > radius * 1.6 || extent.r < radius * 0.45 || moved > radius * 0.5));
      if (reframe && n > 0) {
        framed = true;
        let flat = true;
        for (let i = 0; i < n && flat; i += Math.max(1, Math.floor(n / 1000))) if (Math.abs(positions[i * 3 + 2]) > 1e-9) flat = false;
        home = frameLayout(extent, flat);
        rebuildAxes();
        if (animation) {
          cameraTween = { start: performance.now(), duration: animation.duration, from: this.getCamera(), to: home };
        } else applyCamera(home);
      }
      requestRender();
    },
    setColors(rgb) {
      const attr = geometry.getAttribute('aColor') as BufferAttribute | undefined;
      if (attr && attr.count * 3 === rgb.length) {
        (attr.array as Float32Array).set(rgb);
        attr.needsUpdate = true;
      } else geometry.setAttribute('aColor', new BufferAttribute(new Float32Array(rgb), 3));
      requestRender();
    },
    setHidden(mask) {
      hidden = mask && mask.length >= count ? mask : null;
      const attr = geometry.getAttribute('aHidden') as BufferAttribute | undefined;
      if (!attr) return;
      const a = attr.array as Float32Array;
      for (let i = 0; i < count; i++) a[i] = hidden ? hidden[i] : 0;
      attr.needsUpdate = true;
      if (hovered !== null && hidden?.[hovered]) setHoveredIndex(null);
      requestRender();
    },
    setPointScale(scale) {
      pointScale = scale;
      updatePointSize();
    },
    setHovered(i) {
      setHoveredIndex(i);
    },
    setSelected(i) {
      selected = i;
    },
    setCursor(p) {
      cursorAt = p ? [p[0], p[1], p[2]] : null;
    },
    setAxes(visible) {
      if (axes.visible === visible) return;
      axes.visible = visible;
      requestRender();
    },
    setShells(mode) {
      if (mode === shellMode) return;
      shellMode = mode;
      rebuildShells();
      requestRender();
    },
    setPath(positions, options = {}) {
      disposeTree(path);
      path.clear();
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
          const keys = new Points(kg, ringMaterial(color, 18 * pixelRatio, 1));
          keys.renderOrder = 10;
          path.add(keys);
        }
      }
      requestRender();
    },
    resetView(animate = true) {
      if (!animate) {
        applyCamera(home);
        return;
      }
      cameraTween = {
        start: performance.now(),
        duration: 450,
        from: { position: [camera.position.x, camera.position.y, camera.position.z], target: [controls.target.x, controls.target.y, controls.target.z] },
        to: home,
      };
      requestRender();
    },
    getCamera() {
      return { position: [camera.position.x, camera.position.y, camera.position.z], target: [controls.target.x, controls.target.y, controls.target.z] };
    },
    setCamera(state) {
      applyCamera(state);
    },
    pick,
    spotAt,
    toScreen,
    positionOf(i) {
      return i >= 0 && i < count ? currentPosition(i) : null;
    },
    onCameraChange(listener) {
      cameraListeners.add(listener);
      return () => cameraListeners.delete(listener);
    },
    get pointCount() {
      return count;
    },
    parts: { scene, camera, controls, requestRender },
    pickStats,
    dispose() {
      if (frame) cancelAnimationFrame(frame);
      if (hoverFrame) cancelAnimationFrame(hoverFrame);
      observer.disconnect();
      canvas.removeEventListener('pointerdown', onPointerDown, { capture: true });
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerup', onPointerUp);
      canvas.removeEventListener('pointerleave', onPointerLeave);
      controls.removeEventListener('change', onControlsChange);
      controls.dispose();
      cameraListeners.clear();
      disposeTree(scene);
      renderer.dispose();
    },
  };
}
