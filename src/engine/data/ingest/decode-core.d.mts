/** Types for decode-core.mjs (plain JS so that worker threads can load it). */
export interface DecodeSettings {
  size: number;
  color: 'gray' | 'rgb';
  fit: 'cover' | 'contain';
  /** sRGB background, 0–255 each: alpha is flattened onto it and contain pads with it. */
  background: [number, number, number];
  /** 0 = no separate thumbnails (they are the pixels themselves). */
  thumbSize: number;
  /** Refuse images whose decode would hold more bytes than this (default MAX_DECODED_BYTES). */
  maxDecodedBytes?: number;
}

/**
 * Waits until `bytes` more may be held by decodes in flight; resolves to the function that gives them
 * back (the decode pool's byte budget; by default every decode is admitted at once).
 */
export type Admit = (bytes: number) => Promise<() => void>;

/**
 * A decoded image, or why the file was skipped. `remember`: the reason holds while size and mtime
 * do. `recheck`: the reason came from libvips while other decodes ran, and may be mixed with theirs
 * (its error buffer is process-wide): decode the file again with nothing else running.
 */
export type DecodeResult = { pixels: Uint8Array; thumb: Uint8Array | null } | { skip: string; remember: boolean; recheck?: boolean };

export interface Decoder {
  channels: 1 | 3;
  decodeBytes(input: Buffer, admit?: Admit): Promise<DecodeResult>;
  /** Reads the file (any path, also raw bytes) and decodes it. `sync` reads without the thread pool. */
  decodeFile(path: string | Buffer, fileSize: number, sync?: boolean, admit?: Admit): Promise<DecodeResult>;
}

export const MAX_INPUT_PIXELS: number;
export const MAX_FILE_BYTES: number;
export const MAX_DECODED_BYTES: number;
export function jpegShrinkOnLoad(factor: number): number;
export function decodedBytes(
  meta: { width: number; height: number; channels: number; depth?: string; format?: string; isProgressive?: boolean },
  box: number,
  shrinkOnLoad?: boolean,
): number;
export function loadSharp(): Promise<typeof import('sharp').default>;
export function createDecoder(settings: DecodeSettings): Promise<Decoder>;
