/**
 * Text notes inside GIF and PNG files, the two image containers an animation export writes: a GIF
 * comment extension (before the trailer) and a PNG tEXt chunk (after IHDR). The readers walk the
 * files' block structure and stop at anything truncated or malformed rather than guess; a file
 * without a note gives none. Imports only node.
 */
import { crc32 } from 'node:zlib';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class ImageNoteError extends Error {}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isGif(bytes: Uint8Array): boolean {
  const head = String.fromCharCode(...bytes.subarray(0, 6));
  return head === 'GIF87a' || head === 'GIF89a';
}

const latin1 = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new ImageNoteError('a note in a GIF or PNG file must be Latin-1 text');
    out[i] = c;
  }
  return out;
};
const fromLatin1 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
};

// ---------------------------------------------------------------------------------------------
// GIF

/** The GIF with a comment extension holding `text` inserted just before its trailer. */
export function gifWithComment(gif: Uint8Array, text: string): Uint8Array {
  if (!isGif(gif) || gif[gif.length - 1] !== 0x3b) throw new ImageNoteError('not a complete GIF file');
  const data = latin1(text);
  const blocks = Math.ceil(data.length / 255);
  const ext = new Uint8Array(2 + data.length + blocks + 1);
  ext[0] = 0x21;
  ext[1] = 0xfe;
  let at = 2;
  for (let i = 0; i < data.length; i += 255) {
    const part = data.subarray(i, i + 255);
    ext[at++] = part.length;
    ext.set(part, at);
    at += part.length;
  }
  ext[at] = 0;
  const out = new Uint8Array(gif.length + ext.length);
  out.set(gif.subarray(0, gif.length - 1));
  out.set(ext, gif.length - 1);
  out[out.length - 1] = 0x3b;
  return out;
}

/** The text of every comment extension of a GIF, in file order. */
export function gifComments(gif: Uint8Array): string[] {
  if (!isGif(gif) || gif.length < 13) throw new ImageNoteError('not a GIF file');
  const need = (at: number, n: number): void => {
    if (at + n > gif.length) throw new ImageNoteError('the GIF file is truncated');
  };
  /** Skips (or collects) data sub-blocks from `at`; returns the offset after their terminator. */
  const subBlocks = (from: number, collect?: number[][]): number => {
    let at = from;
    for (;;) {
      need(at, 1);
      const size = gif[at++];
      if (size === 0) return at;
      need(at, size);
      collect?.push(Array.from(gif.subarray(at, at + size)));
      at += size;
    }
  };
  const colourTable = (packed: number): number => (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
  let at = 13 + colourTable(gif[10]);
  const comments: string[] = [];
  for (;;) {
    need(at, 1);
    const block = gif[at++];
    if (block === 0x3b) return comments;
    if (block === 0x21) {
      need(at, 1);
      const label = gif[at++];
      if (label === 0xfe) {
        const parts: number[][] = [];
        at = subBlocks(at, parts);
        comments.push(fromLatin1(Uint8Array.from(parts.flat())));
      } else at = subBlocks(at);
    } else if (block === 0x2c) {
      need(at, 9);
      at += 9 + colourTable(gif[at + 8]);
      need(at, 1);
      at = subBlocks(at + 1);
    } else throw new ImageNoteError(`the GIF file has an unknown block 0x${block.toString(16)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// PNG

/** The PNG with a tEXt chunk `keyword`: `text` inserted after its IHDR chunk. */
export function pngWithText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  if (!isPng(png)) throw new ImageNoteError('not a PNG file');
  const ihdrEnd = 8 + 8 + new DataView(png.buffer, png.byteOffset).getUint32(8) + 4;
  const body = new Uint8Array([...latin1(keyword), 0, ...latin1(text)]);
  const chunk = new Uint8Array(12 + body.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, body.length);
  chunk.set(latin1('tEXt'), 4);
  chunk.set(body, 8);
  view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, ihdrEnd));
  out.set(chunk, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return out;
}

/** The tEXt chunks of a PNG (keyword → text) whose checksums hold; walking stops at IEND. */
export function pngTexts(png: Uint8Array): Map<string, string> {
  if (!isPng(png)) throw new ImageNoteError('not a PNG file');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const texts = new Map<string, string>();
  let at = 8;
  while (at + 12 <= png.length) {
    const size = view.getUint32(at);
    const type = fromLatin1(png.subarray(at + 4, at + 8));
    if (at + 12 + size > png.length) throw new ImageNoteError(`the PNG file is truncated (in its ${type} chunk)`);
    if (type === 'IEND') break;
    if (type === 'tEXt') {
      const body = png.subarray(at + 8, at + 8 + size);
      if (crc32(png.subarray(at + 4, at + 8 + size)) !== view.getUint32(at + 8 + size)) throw new ImageNoteError('the PNG file has a damaged tEXt chunk');
      const nul = body.indexOf(0);
      if (nul > 0) texts.set(fromLatin1(body.subarray(0, nul)), fromLatin1(body.subarray(nul + 1)));
    }
    at += 12 + size;
  }
  return texts;
}
