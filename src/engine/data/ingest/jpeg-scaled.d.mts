/** Types for jpeg-scaled.mjs. */
export interface ScaledJpeg {
  /**
   * Decodes `input` into `out` (width × height × 1 or 3 bytes) at the DCT scale that gives exactly
   * width × height (scaledSide of the header's size); false when TurboJPEG reported an error or a warning.
   */
  decode(input: Buffer, out: Uint8Array, width: number, height: number, gray: boolean, sync: boolean): Promise<boolean>;
}

export function scaledSide(side: number, eighths: number): number;
export function dctEighths(fitSide: number, need: number): number;
export function loadScaledJpeg(): Promise<ScaledJpeg | null>;
