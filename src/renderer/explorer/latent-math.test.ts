import { describe, expect, it } from 'vitest';
import { difference, groupMean, moveAlong, muOf, norm, parseLatent, parseVector, rowOf, rowsWithLabels } from './latent-math';
import { exportTarget } from '../animation/animation-export';

const e = {
  count: 4,
  latentDim: 2,
  ids: new Int32Array([0, 1, 2, 3]),
  labels: new Int32Array([0, 1, 0, 1]),
  mu: new Float32Array([1, 0, 0, 1, 3, 0, 0, 3]),
};

describe('latent arithmetic', () => {
  it('finds rows by dataset index and groups by label', () => {
    expect(rowOf(e, 2)).toBe(2);
    expect(rowOf({ ...e, ids: new Int32Array([5, 6, 7, 8]) }, 7)).toBe(2);
    expect(rowOf(e, 9)).toBe(-1);
    expect(Array.from(muOf(e, 3))).toEqual([0, 3]);
    expect(rowsWithLabels(e, [1])).toEqual([1, 3]);
  });

  it('takes the direction between group means and moves a point along it', () => {
    const a = groupMean(e, rowsWithLabels(e, [0]))!;
    const b = groupMean(e, rowsWithLabels(e, [1]))!;
    expect(Array.from(a)).toEqual([2, 0]);
    expect(Array.from(b)).toEqual([0, 2]);
    const dir = difference(a, b);
    expect(Array.from(dir)).toEqual([-2, 2]);
    expect(norm(dir)).toBeCloseTo(Math.SQRT2 * 2);
    expect(Array.from(moveAlong(a, dir, 1))).toEqual(Array.from(b));
    expect(Array.from(moveAlong(a, dir, 0.5))).toEqual([1, 1]);
    expect(groupMean(e, [])).toBeNull();
  });

  it('parses typed vectors, padding with zeros and refusing junk', () => {
    expect(Array.from(parseVector('0.5, -1', 3)!)).toEqual([0.5, -1, 0]);
    expect(parseVector('1 2 3 4', 3)).toBeNull();
    expect(parseVector('1, x', 2)).toBeNull();
  });

  it('names export targets by format', () => {
    expect(exportTarget('/out/walk.gif', 'webm')).toBe('/out/walk.webm');
    expect(exportTarget('/out/walk.webm', 'frames')).toBe('/out/walk/');
    expect(exportTarget('/out/walk/', 'sprite')).toBe('/out/walk.png');
    expect(exportTarget('/out/walk', 'gif')).toBe('/out/walk.gif');
  });
});

describe('parseLatent', () => {
  it('takes exactly d numbers, in brackets or not, separated by commas, semicolons or spaces', () => {
    expect(parseLatent('[0.5; -1 2]', 3)).toEqual({ z: Float32Array.from([0.5, -1, 2]) });
  });

  it('refuses another length instead of padding or cutting it', () => {
    expect(parseLatent('0, 0', 3)).toEqual({ error: "the model's latent vector has 3 numbers, not 2: type 3 numbers separated by commas" });
    expect(parseLatent('1 2 3 4', 3)).toHaveProperty('error');
    expect(parseLatent('', 2)).toHaveProperty('error');
  });

  it('names the part that is not a number', () => {
    expect(parseLatent('1, abc', 2)).toEqual({ error: '"abc" is not a number: type 2 numbers separated by commas' });
  });
});
