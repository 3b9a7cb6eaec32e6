/**
 * The stage: the WebGL renderer, the camera and its orbit controls, and rendering on demand (a
 * change, a camera move, an animation frame asks for one frame; nothing renders while idle).
 * Other modules add objects to `scene`, register per-frame work with `onFrame` (e.g. a glide) and
 * listen to camera moves with `onCameraChange` (DOM overlays follow the scene with toScreen).
 */
import { MOUSE, type Object3D, PerspectiveCamera, Raycaster, Scene, TOUCH, Vector2, Vector3, WebGLRenderer } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { framingOf } from './camera3d';
import { easeInOut, type CameraState, type Extent, type Vec3 } from './types';

export interface Stage {
  readonly canvas: HTMLCanvasElement;
  readonly scene: Scene;
  readonly camera: PerspectiveCamera;
  readonly controls: OrbitControls;
  readonly pixelRatio: number;
  requestRender(): void;
  /** Work done before each frame; return true to ask for another frame (an animation runs). */
  onFrame(step: (now: number) => boolean): () => void;
  onCameraChange(listener: () => void): () => void;
  /** Compiles the shader programs of everything under `root`, hidden parts too, before it is first drawn. */
  precompile(root: Object3D): void;
  /** Called right after each frame is drawn (not on a resize). */
  onRendered(listener: () => void): () => void;
  getCamera(): CameraState;
  /** Jumps, or glides over `ms`. */
  setCamera(state: CameraState, ms?: number): void;
  /** A camera that sees the extent from a pleasant oblique angle (frontal when the layout is flat). */
  framing(extent: Extent, flat: boolean): CameraState;
  /** A flat layout is panned, not orbited: dragging (one finger) pans and the camera cannot tilt. */
  setFlat(flat: boolean): void;
  /** The ray through a client position. */
  rayAt(clientX: number, clientY: number): Raycaster;
  /** A view position in client (CSS pixel) coordinates, or null when it is behind the camera. */
  toScreen(p: Vec3): { x: number; y: number } | null;
  dispose(): void;
}

/** The camera's vertical field of view, in degrees (the decoded map works out its scale from it). */
export const CAMERA_FOV = 50;

export function createStage(canvas: HTMLCanvasElement): Stage {
  const renderer = new WebGLRenderer({ canvas, antialias: false, alpha: false, powerPreference: 'high-performance', preserveDrawingBuffer: false });
  const pixelRatio = Math.min(window.devicePixelRatio || 1, 2);
  renderer.setPixelRatio(pixelRatio);
  renderer.setClearColor(0x101217);
  const scene = new Scene();
  const camera = new PerspectiveCamera(CAMERA_FOV, 1, 0.01, 1000);
  camera.position.set(3.2, 2.2, 4.6);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;
  controls.screenSpacePanning = true;
  controls.zoomSpeed = 1.2;

  let frame = 0;
  let tween: { start: number; duration: number; from: CameraState; to: CameraState } | null = null;
  const steps = new Set<(now: number) => boolean>();
  const cameraListeners = new Set<() => void>();
  const renderedListeners = new Set<() => void>();

  const render = (): void => {
    frame = 0;
    const now = performance.now();
    let again = false;
    for (const step of steps) again = step(now) || again;
    if (tween) {
      const t = easeInOut(Math.min(1, (now - tween.start) / tween.duration));
      const lerp = (a: Vec3, b: Vec3): Vec3 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      camera.position.set(...lerp(tween.from.position, tween.to.position));
      controls.target.set(...lerp(tween.from.target, tween.to.target));
      controls.update();
      if (t >= 1) tween = null;
      else again = true;
    }
    renderer.render(scene, camera);
    for (const l of renderedListeners) l();
    // Overlays follow the camera and gliding points.
    for (const l of cameraListeners) l();
    if (again) requestRender();
  };
  function requestRender(): void {
    if (!frame) frame = requestAnimationFrame(render);
  }
  controls.addEventListener('change', requestRender);

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

  const getCamera = (): CameraState => ({
    position: [camera.position.x, camera.position.y, camera.position.z],
    target: [controls.target.x, controls.target.y, controls.target.z],
  });

  const ndc = new Vector2();
  const raycaster = new Raycaster();

  return {
    canvas,
    scene,
    camera,
    controls,
    pixelRatio,
    requestRender,
    onFrame(step) {
      steps.add(step);
      return () => steps.delete(step);
    },
    onCameraChange(listener) {
      cameraListeners.add(listener);
      return () => cameraListeners.delete(listener);
    },
    precompile(root) {
      const hidden: Object3D[] = [];
      root.traverse((o) => {
        if (o.visible) return;
        hidden.push(o);
        o.visible = true;
      });
      const materials = renderer.compile(root, camera, scene);
      for (const o of hidden) o.visible = false;
      // compile() only sends the shaders; the browser links them when the program is first asked about,
      // which three.js does at its first draw: with SwiftShader on 2 cores that was 100–280 ms inside the
      // first frame of points. Asking now (three.js's first use: uniforms, and the link's status) moves
      // the wait to while the page waits for its data. Measured in docs/BENCHMARKS.md (session 16).
      for (const material of materials) (renderer.properties.get(material) as { currentProgram?: { getUniforms(): unknown } }).currentProgram?.getUniforms();
    },
    onRendered(listener) {
      renderedListeners.add(listener);
      return () => renderedListeners.delete(listener);
    },
    getCamera,
    setCamera(state, ms = 0) {
      if (ms > 0) {
        tween = { start: performance.now(), duration: ms, from: getCamera(), to: state };
        requestRender();
        return;
      }
      tween = null;
      camera.position.set(...state.position);
      controls.target.set(...state.target);
      controls.update();
    },
    framing(extent, flat) {
      const framed = framingOf(extent, flat, camera.fov, camera.aspect);
      // Near and far planes follow the distance, so depth precision suits the layout's size.
      const distance = Math.hypot(...[0, 1, 2].map((a) => framed.position[a] - framed.target[a]));
      camera.near = distance / 200;
      camera.far = distance * 20;
      camera.updateProjectionMatrix();
      return framed;
    },
    setFlat(flat) {
      controls.enableRotate = !flat;
      controls.mouseButtons.LEFT = flat ? MOUSE.PAN : MOUSE.ROTATE;
      controls.touches.ONE = flat ? TOUCH.PAN : TOUCH.ROTATE;
    },
    rayAt(clientX, clientY) {
      const rect = canvas.getBoundingClientRect();
      ndc.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
      raycaster.setFromCamera(ndc, camera);
      return raycaster;
    },
    toScreen(p) {
      const v = new Vector3(...p).project(camera);
      if (v.z > 1) return null;
      const rect = canvas.getBoundingClientRect();
      return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
    },
    dispose() {
      if (frame) cancelAnimationFrame(frame);
      observer.disconnect();
      controls.removeEventListener('change', requestRender);
      controls.dispose();
      steps.clear();
      cameraListeners.clear();
      renderedListeners.clear();
      renderer.dispose();
    },
  };
}
