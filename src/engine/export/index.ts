/**
 * One entry point for every animation export: the output kind follows from the target path.
 *   anim.gif → GIF · anim.webm → WebM (VP8) · sheet.png → sprite sheet · dir/ or an existing folder
 *   → PNG frames (+ sprite.png).
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ExportOptions, FrameSet } from './common';
import { exportFrames, type FramesOptions } from './frames';
import { exportGif, type GifOptions } from './gif';
import { exportSpriteSheet } from './sprite';
import { exportWebm, type WebmOptions } from './webm';
import type { ExportKind } from '../../shared/vocabulary';

export * from './common';
export { encodeGif, exportGif, gifDelaysCs, gifRepeat, GRAY_PALETTE } from './gif';
export { encodeWebm, exportWebm, vp8FromWebp } from './webm';
export { exportFrames, frameFileName, SPRITE_FILE } from './frames';
export { composeSpriteSheet, encodeSpriteSheet, exportSpriteSheet, spriteLayout } from './sprite';

export type { ExportKind };
export const EXPORT_EXTENSIONS: Record<string, ExportKind> = { '.gif': 'gif', '.webm': 'webm', '.png': 'sprite' };

/** Thrown when the target path names no export kind we know. */
export class UnknownExportTypeError extends Error {}

/** The kind of export a target path asks for (a path ending in / or an existing folder → frames). */
export async function exportKindFor(target: string): Promise<ExportKind> {
  if (/[\\/]$/.test(target)) return 'frames';
  const info = await stat(target).catch(() => null);
  if (info?.isDirectory()) return 'frames';
  const ext = extname(target).toLowerCase();
  const kind = EXPORT_EXTENSIONS[ext];
  if (kind) return kind;
  const known = `${Object.keys(EXPORT_EXTENSIONS).join(', ')} or a folder ending in /`;
  throw new UnknownExportTypeError(ext ? `cannot export to "${ext}" files: use ${known}` : `"${target}" has no extension: use ${known}`);
}

export interface AnimationExportResult {
  kind: ExportKind;
  path: string;
  bytes: number;
  files: number;
}

/** Exports `frames` to `target` in the kind its path asks for. */
export async function exportAnimation(
  frames: FrameSet,
  target: string,
  options: ExportOptions & Pick<FramesOptions, 'extraFiles'> & Pick<GifOptions, 'loops'> & Pick<WebmOptions, 'quality'> = {},
): Promise<AnimationExportResult> {
  const kind = await exportKindFor(target);
  const path = kind === 'frames' ? target.replace(/[\\/]+$/, '') || target : target;
  switch (kind) {
    case 'gif':
      return { kind, path, files: 1, ...(await exportGif(frames, path, options)) };
    case 'webm':
      return { kind, path, files: 1, ...(await exportWebm(frames, path, options)) };
    case 'sprite': {
      const { bytes } = await exportSpriteSheet(frames, path, options);
      return { kind, path, files: 1, bytes };
    }
    case 'frames':
      return { kind, path, ...(await exportFrames(frames, path, options)) };
    case 'mp4':
      // The engine (Node) has no WebCodecs: the app window encodes MP4 and the service writes it.
      throw new UnknownExportTypeError('MP4 is encoded by the app window, not by the engine');
  }
}
