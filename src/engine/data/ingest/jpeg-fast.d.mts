/** Types for jpeg-fast.mjs. */
export interface JpegInfo {
  width: number;
  height: number;
  /** 1 (gray) or 3 (YCbCr). */
  components: number;
}

export interface JpegTurbo {
  FORMAT_RGB: number;
  FORMAT_GRAY: number;
  decompress(image: Buffer, options: { format: number }): Promise<{ data: Buffer; width: number; height: number }>;
}

export function loadJpegTurbo(): Promise<JpegTurbo | null>;
export function plainJpegInfo(bytes: Uint8Array): JpegInfo | null;
