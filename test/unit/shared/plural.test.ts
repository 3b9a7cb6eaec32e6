import { describe, expect, it } from 'vitest';
import { plural } from '../../../src/shared/plural';

describe('plural', () => {
  it('takes the singular for one and the plural otherwise, zero included', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(2, 'epoch')).toBe('2 epochs');
  });

  it('groups thousands and takes an irregular plural', () => {
    expect(plural(3674, 'image')).toBe('3,674 images');
    expect(plural(2, 'match', 'matches')).toBe('2 matches');
  });
});
