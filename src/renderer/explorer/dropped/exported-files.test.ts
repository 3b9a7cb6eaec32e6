import { describe, expect, it } from 'vitest';
import { containsBytes, sortDroppedFiles } from './exported-files';

const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
const png = (extra = ''): Uint8Array<ArrayBuffer> => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...text(extra)]);

describe('dropped files: exports with a path vs images to encode', () => {
  it('sends videos, and GIFs/PNGs that carry a path, to the path reader; other images to the encoder', async () => {
    const files = [
      new File([text('....ftypisom')], 'walk.mp4', { type: 'video/mp4' }),
      new File([text('webm bytes')], 'walk.webm'),
      new File([png('tEXtlatentscape-path\0{"format":"latentscape-export-path"}')], 'sheet.png', { type: 'image/png' }),
      new File([png('IDAT')], 'photo.png', { type: 'image/png' }),
      new File([text('GIF89a no note')], 'cat.gif', { type: 'image/gif' }),
      new File([text('jpeg')], 'face.jpg', { type: 'image/jpeg' }),
    ];
    const sorted = await sortDroppedFiles(files);
    expect(sorted.exported.map((f) => f.name)).toEqual(['walk.mp4', 'walk.webm', 'sheet.png']);
    expect(sorted.images.map((f) => f.name)).toEqual(['photo.png', 'cat.gif', 'face.jpg']);
    expect(Array.from(sorted.exported[0].bytes.subarray(4, 8), (b) => String.fromCharCode(b)).join('')).toBe('ftyp');
  });

  it('finds a marker anywhere, and only a whole one', () => {
    expect(containsBytes(text('xxabcabd'), text('abd'))).toBe(true);
    expect(containsBytes(text('xxabcab'), text('abd'))).toBe(false);
    expect(containsBytes(text('ab'), text('abd'))).toBe(false);
  });
});
