/**
 * Which dropped files are exports of this app carrying a path (issue 27: drop the file back to
 * reopen its path) and which are images to encode. Videos always go to the path reader; a GIF or
 * PNG goes there only when it holds the path's note, so any other image is encoded as before.
 */
import { EXPORT_NOTE_FORMAT } from '../../../shared/export-path-note';
import { MAX_PATH_SOURCE_BYTES } from '../../../shared/contract';

const VIDEO = /\.(mp4|m4v|webm)$/i;
const MAY_CARRY_NOTE = /\.(gif|png)$/i;
const MARKER = new TextEncoder().encode(EXPORT_NOTE_FORMAT);

/** Whether `bytes` contain `marker` anywhere. */
export function containsBytes(bytes: Uint8Array, marker: Uint8Array): boolean {
  const first = marker[0];
  for (let i = bytes.indexOf(first); i >= 0 && i + marker.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < marker.length && bytes[i + j] === marker[j]) j++;
    if (j === marker.length) return true;
  }
  return false;
}

export interface SortedDrop {
  /** Exported files with their bytes, for the path reader. */
  exported: { name: string; bytes: Uint8Array }[];
  images: File[];
}

export async function sortDroppedFiles(files: readonly File[]): Promise<SortedDrop> {
  const sorted: SortedDrop = { exported: [], images: [] };
  for (const file of files) {
    const video = file.type.startsWith('video/') || VIDEO.test(file.name);
    const mayCarry = file.type === 'image/gif' || file.type === 'image/png' || MAY_CARRY_NOTE.test(file.name);
    if (!video && !(mayCarry && file.size <= MAX_PATH_SOURCE_BYTES)) {
      sorted.images.push(file);
      continue;
    }
    // Too large to be read for a path: the service refuses it with the limit in its message.
    const bytes = file.size <= MAX_PATH_SOURCE_BYTES ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array(MAX_PATH_SOURCE_BYTES + 1);
    if (video || containsBytes(bytes, MARKER)) sorted.exported.push({ name: file.name.slice(0, 255) || 'video', bytes });
    else sorted.images.push(file);
  }
  return sorted;
}
