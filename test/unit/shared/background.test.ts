import { describe, expect, it } from 'vitest';
import { LEGACY_BACKGROUND, backgroundRgb, parseBackground, recordedBackground } from '../../../src/shared/background';
import { BackgroundSchema, DEFAULT_BACKGROUND } from '../../../src/shared/vocabulary';

describe('the image-folder background', () => {
  it('parses names and colours into one canonical form', () => {
    expect(parseBackground(' White ')).toBe('white');
    expect(parseBackground('black')).toBe('black');
    expect(parseBackground('#33669A')).toBe('#33669a');
    expect(parseBackground('#369')).toBe('#336699');
    for (const bad of ['', 'grey', '#12345', '336699', '#gg0000', 'rgb(0,0,0)'])
      expect(() => parseBackground(bad)).toThrow(/background must be "white", "black" or a colour/);
  });

  it('gives sRGB levels', () => {
    expect(backgroundRgb('white')).toEqual([255, 255, 255]);
    expect(backgroundRgb('black')).toEqual([0, 0, 0]);
    expect(backgroundRgb('#336699')).toEqual([0x33, 0x66, 0x99]);
  });

  it('is white by default; a record without one means black; a bad record is not used', () => {
    expect(DEFAULT_BACKGROUND).toBe('white');
    expect(recordedBackground(undefined)).toBe(LEGACY_BACKGROUND);
    expect(LEGACY_BACKGROUND).toBe('black');
    expect(recordedBackground('#336699')).toBe('#336699');
    expect(recordedBackground('sparkly')).toBeNull();
    expect(recordedBackground(3)).toBeNull();
  });

  it('the schema takes the canonical forms and refuses others', () => {
    for (const ok of ['white', 'black', '#336699', '#ABCDEF']) expect(BackgroundSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['grey', '#369', '336699', '', 7]) expect(BackgroundSchema.safeParse(bad).success).toBe(false);
  });
});
