import { describe, expect, it } from 'vitest';
import { queryPoints } from './point-query';

const digits = {
  count: 6,
  ids: new Int32Array([0, 1, 2, 3, 4, 5]),
  labels: new Int32Array([7, 2, 7, 1, 0, 7]),
  labelNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const folder = {
  count: 4,
  ids: new Int32Array([10, 11, 12, 13]),
  labels: new Int32Array([0, 0, 1, -1]),
  labelNames: ['cats', 'dogs'],
  files: Object.assign([], { 10: 'cats/tabby.jpg', 11: 'cats/Siamese.PNG', 12: 'dogs/rex.jpg', 13: 'misc/unlabelled.gif' }) as string[],
};
const hits = (r: ReturnType<typeof queryPoints>): number[] => (r?.mask ? [...r.mask].flatMap((m, i) => (m ? [i] : [])) : []);

describe('search', () => {
  it('an empty query is no search', () => {
    expect(queryPoints(digits, '   ')).toBeNull();
  });

  it('a label name matches its points (7 is the sevens, not image 7)', () => {
    const r = queryPoints(digits, '7');
    expect(r?.count).toBe(3);
    expect(hits(r)).toEqual([0, 2, 5]);
  });

  it('#n and ranges are image numbers; a bare number that is no label is one too', () => {
    expect(hits(queryPoints(digits, '#3'))).toEqual([3]);
    expect(hits(queryPoints(digits, '#1-2'))).toEqual([1, 2]);
    expect(hits(queryPoints(folder, '12'))).toEqual([2]);
  });

  it('text matches label names and file paths, in any case', () => {
    expect(hits(queryPoints(folder, 'siamese'))).toEqual([1]);
    expect(hits(queryPoints(folder, 'DOG'))).toEqual([2]);
    expect(hits(queryPoints(folder, 'misc/'))).toEqual([3]);
  });

  it('/regex/ is tested against label, file and #number', () => {
    expect(hits(queryPoints(folder, '/\\.jpg$/'))).toEqual([0, 2]);
    expect(hits(queryPoints(folder, '/^dogs$/'))).toEqual([2]);
    expect(hits(queryPoints(folder, '/png/i'))).toEqual([1]);
    expect(hits(queryPoints(digits, '/^#[45]$/'))).toEqual([4, 5]);
  });

  it('a broken regex is an error, not a crash', () => {
    const r = queryPoints(digits, '/(/');
    expect(r?.mask).toBeNull();
    expect(r?.error).toMatch(/regular expression/);
  });
});
