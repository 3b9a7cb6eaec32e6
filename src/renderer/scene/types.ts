/** The words the scene's modules share with the rest of the renderer. */
import type { Vec3 } from '../../shared/vocabulary';

export type { Vec3 };

export interface CameraState {
  position: Vec3;
  target: Vec3;
}

/** Where the bulk of a layout sits: its centre and the radius holding 99.5 % of the points. */
export interface Extent {
  c: Vec3;
  r: number;
}

export const easeInOut = (t: number): number => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);
