/**
 * PNG frame sequence: a folder with frame-0000.png … (one per frame, upscaled) and sprite.png (all
 * frames in a grid), plus any small extra files the caller adds (e.g. the path as path.json). The
 * folder is built beside the target and swapped in only when complete.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkFrameSet, frameAt, resolveScale, throwIfAborted, upscaleNearest, writeDirAtomic, type ExportOptions, type FrameSet } from './common';
import { yieldToEventLoop } from '../../node/event-loop';
import { encodePng, encodeSpriteSheet } from './sprite';
import { pngWithText } from '../../node/image-notes';
import { EXPORT_NOTE_KEYWORD } from '../../shared/export-path-note';

export const SPRITE_FILE = 'sprite.png';
const FRAME_FILE = /^frame-\d{4,}\.png$/;

export function frameFileName(k: number): string {
  return `frame-${String(k).padStart(4, '0')}.png`;
}

export interface FramesOptions extends ExportOptions {
  /** Also write sprite.png (default true). */
  sprite?: boolean;
  /** Extra files to put in the folder, by plain file name (no folders). */
  extraFiles?: Record<string, string | Uint8Array>;
}

/**
 * Writes the folder; an existing folder is replaced only if it holds nothing but files an export
 * like this makes (frames, sprite.png and the extra files' names).
 */
export async function exportFrames(frames: FrameSet, dir: string, options: FramesOptions = {}): Promise<{ files: number; bytes: number }> {
  checkFrameSet(frames);
  const scale = resolveScale(options.scale);
  const { signal, onProgress } = options;
  const extras = options.extraFiles ?? {};
  for (const name of Object.keys(extras)) {
    if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') throw new Error(`extra file name "${name}" must be a plain file name`);
  }
  const ours = (name: string): boolean => FRAME_FILE.test(name) || name === SPRITE_FILE || name in extras || name === 'path.json';
  let files = 0;
  let bytes = 0;
  await writeDirAtomic(
    dir,
    async (temp) => {
      const { width, height, channels, count } = frames;
      for (let k = 0; k < count; k++) {
        const image = upscaleNearest(frameAt(frames, k), width, height, channels, scale);
        const plain = await encodePng(image, width * scale, height * scale, channels);
        // The first frame carries the path too, so either it or sprite.png can be dropped back.
        const png = k === 0 && options.note ? pngWithText(plain, EXPORT_NOTE_KEYWORD, options.note) : plain;
        await writeFile(join(temp, frameFileName(k)), png);
        files++;
        bytes += png.length;
        onProgress?.(k + 1, count);
        await yieldToEventLoop();
        throwIfAborted(signal);
      }
      if (options.sprite !== false) {
        const { png } = await encodeSpriteSheet(frames, { scale, signal, ...(options.note ? { note: options.note } : {}) });
        await writeFile(join(temp, SPRITE_FILE), png);
        files++;
        bytes += png.length;
      }
      for (const [name, data] of Object.entries(extras)) {
        await writeFile(join(temp, name), data);
        files++;
        bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      }
    },
    ours,
    signal,
  );
  return { files, bytes };
}
