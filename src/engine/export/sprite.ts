/**
 * Sprite sheet: every frame in one PNG, left to right and top to bottom in a near-square grid
 * (columns = ⌈√count⌉), empty cells black. Handy for the web (CSS steps()) and for a quick look.
 */
import { pngWithText } from '../../node/image-notes';
import { EXPORT_NOTE_KEYWORD } from '../../shared/export-path-note';
import { checkFrameSet, frameAt, resolveScale, throwIfAborted, upscaleNearest, writeFileAtomic, type ExportOptions, type FrameSet } from './common';

export interface SpriteLayout {
  columns: number;
  rows: number;
  /** One cell (one upscaled frame). */
  cellWidth: number;
  cellHeight: number;
  width: number;
  height: number;
}

export function spriteLayout(frames: Pick<FrameSet, 'width' | 'height' | 'count'>, scale: number, columns?: number): SpriteLayout {
  const cols = columns ?? Math.ceil(Math.sqrt(frames.count));
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`sprite sheet columns must be a positive integer, got ${cols}`);
  const rows = Math.ceil(frames.count / cols);
  const cellWidth = frames.width * scale;
  const cellHeight = frames.height * scale;
  return { columns: cols, rows, cellWidth, cellHeight, width: cols * cellWidth, height: rows * cellHeight };
}

/** The sheet's raw pixels (HWC, the frames' channels) and its layout. */
export function composeSpriteSheet(frames: FrameSet, scale: number, columns?: number): { pixels: Uint8Array; layout: SpriteLayout } {
  checkFrameSet(frames);
  const layout = spriteLayout(frames, scale, columns);
  const ch = frames.channels;
  const sheet = new Uint8Array(layout.width * layout.height * ch);
  const cellRow = layout.cellWidth * ch;
  const sheetRow = layout.width * ch;
  for (let k = 0; k < frames.count; k++) {
    const cell = upscaleNearest(frameAt(frames, k), frames.width, frames.height, ch, scale);
    const x0 = (k % layout.columns) * cellRow;
    const y0 = Math.floor(k / layout.columns) * layout.cellHeight;
    for (let y = 0; y < layout.cellHeight; y++) {
      sheet.set(cell.subarray(y * cellRow, (y + 1) * cellRow), (y0 + y) * sheetRow + x0);
    }
  }
  return { pixels: sheet, layout };
}

export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<Uint8Array> {
  // Loaded at the first export, not with the engine (libvips is ~65 ms of its start).
  const sharp = (await import('sharp')).default;
  let image = sharp(pixels, { raw: { width, height, channels }, limitInputPixels: false });
  // Without this sharp widens 1-channel input to RGB on output.
  if (channels === 1) image = image.toColourspace('b-w');
  const png = await image.png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export async function encodeSpriteSheet(
  frames: FrameSet,
  options: ExportOptions & { columns?: number } = {},
): Promise<{ png: Uint8Array; layout: SpriteLayout }> {
  const scale = resolveScale(options.scale);
  throwIfAborted(options.signal);
  const { pixels, layout } = composeSpriteSheet(frames, scale, options.columns);
  const png = await encodePng(pixels, layout.width, layout.height, frames.channels);
  throwIfAborted(options.signal);
  return { png: options.note ? pngWithText(png, EXPORT_NOTE_KEYWORD, options.note) : png, layout };
}

/** Writes the sprite sheet PNG atomically. */
export async function exportSpriteSheet(
  frames: FrameSet,
  file: string,
  options: ExportOptions & { columns?: number } = {},
): Promise<{ bytes: number; layout: SpriteLayout }> {
  const { png, layout } = await encodeSpriteSheet(frames, options);
  await writeFileAtomic(file, png, options.signal);
  options.onProgress?.(frames.count, frames.count);
  return { bytes: png.length, layout };
}
