/** Types for box-simd.mjs. */
import type { FitPlan } from './resample.mjs';
export function boxSimdInto(src: Uint8Array, plan: FitPlan, dst: Uint8Array, dstOffset: number): boolean;
