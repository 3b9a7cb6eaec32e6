/** Types for resample.mjs. */
export interface FitPlan {
  srcWidth: number;
  srcHeight: number;
  channels: number;
  size: number;
  outX: number;
  outY: number;
  outW: number;
  outH: number;
  fromX: number;
  fromY: number;
  /** Whole-number ratio handled by the box path, or 0. */
  box: number;
}
export function planFit(srcWidth: number, srcHeight: number, channels: number, size: number, fit: 'cover' | 'contain'): FitPlan;
export class FitPlanner {
  get(width: number, height: number, channels: number, size: number, fit: 'cover' | 'contain'): FitPlan;
}
export function resampleInto(src: Uint8Array, plan: FitPlan, dst: Uint8Array, dstOffset: number, fill: ArrayLike<number>, simd?: boolean): void;
