/**
 * The parts of a Stage the interaction tests need, without WebGL: a camera at z = 1.5 looking at the
 * origin over a width × height canvas, and the stage's ray and screen projections through it.
 */
import { PerspectiveCamera, Raycaster, Scene, Vector2, Vector3 } from 'three';
import type { Stage } from '../stage';

export function fakeStageParts(
  width: number,
  height: number,
): Pick<Stage, 'scene' | 'camera' | 'controls' | 'pixelRatio' | 'rayAt' | 'toScreen' | 'precompile'> & {
  canvas: Stage['canvas'];
} {
  const camera = new PerspectiveCamera(50, width / height, 0.01, 100);
  camera.position.set(0, 0, 1.5);
  camera.updateMatrixWorld();
  const rect = { left: 0, top: 0, width, height };
  const raycaster = new Raycaster();
  return {
    scene: new Scene(),
    camera,
    canvas: { height, addEventListener() {}, removeEventListener() {}, getBoundingClientRect: () => rect } as unknown as Stage['canvas'],
    controls: { target: new Vector3() } as unknown as Stage['controls'],
    pixelRatio: 1,
    precompile() {},
    rayAt(x: number, y: number) {
      raycaster.setFromCamera(new Vector2((x / width) * 2 - 1, -(y / height) * 2 + 1), camera);
      return raycaster;
    },
    toScreen(p: [number, number, number]) {
      const v = new Vector3(...p).project(camera);
      return v.z > 1 ? null : { x: ((v.x + 1) / 2) * width, y: ((1 - v.y) / 2) * height };
    },
  };
}
