/** Types for jpeg-fast.mjs. */
export interface JpegInfo {
  width: number;
  height: number;
  /** 1 (gray) or 3 (YCbCr). */
  components: number;
  /** SOF2: the decoder holds every coefficient of the image until the last scan. */
  progressive: boolean;
}

export interface JpegTurbo {
  FORMAT_RGB: number;
  FORMAT_GRAY: number;
  /** Decodes into `out` (at least width × height × channels bytes); `data` is its first that many. */
  decompress(image: Buffer, out: Buffer, options: { format: number }): Promise<{ data: Buffer; width: number; height: number }>;
  decompressSync(image: Buffer, out: Buffer, options: { format: number }): { data: Buffer; width: number; height: number };
}

export function loadJpegTurbo(): Promise<JpegTurbo | null>;
export function plainJpegInfo(bytes: Uint8Array): JpegInfo | null;
