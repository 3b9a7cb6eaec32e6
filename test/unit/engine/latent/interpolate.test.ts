import { describe, expect, it } from 'vitest';
import { ease, framesPerSegment, interpolatePath, lerp, slerp } from '../../../../src/engine/latent/interpolate';
import { makePathSpec, parsePathSpec, pathFromSpec, PathSpecError, serializePathSpec } from '../../../../src/shared/latent-path';
import { EASINGS } from '../../../../src/shared/vocabulary';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const row = (path: Float32Array, k: number, d: number): Float32Array => path.subarray(k * d, (k + 1) * d);

describe('lerp and slerp', () => {
  const a = f32(1, 0, 0);
  const b = f32(0, 1, 0);

  it('return the endpoints exactly at u = 0 and u = 1', () => {
    const x = f32(0.1234567, -2.5, 3.3333333);
    const y = f32(-7.654321, 0.0001, 9.87);
    for (const fn of [lerp, slerp]) {
      expect(Array.from(fn(x, y, 0))).toEqual(Array.from(x));
      expect(Array.from(fn(x, y, 1))).toEqual(Array.from(y));
    }
  });

  it('lerp is the straight line', () => {
    expect(Array.from(lerp(f32(0, 2), f32(4, -2), 0.25))).toEqual([1, 1]);
  });

  it('slerp keeps the norm of equal-norm endpoints and follows the great circle', () => {
    const p = slerp(a, b, 0.5);
    expect(p[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(p[1]).toBeCloseTo(Math.SQRT1_2, 6);
    for (let i = 1; i < 10; i++) {
      const u = i / 10;
      const q = slerp(a, b, u);
      expect(norm(q)).toBeCloseTo(1, 6);
      // The angle from a grows linearly with u.
      expect(Math.atan2(q[1], q[0])).toBeCloseTo((u * Math.PI) / 2, 5);
    }
  });

  it('slerp interpolates the norm linearly when endpoints differ in norm', () => {
    const x = f32(2, 0, 0);
    const y = f32(0, 0, 4);
    for (const u of [0.1, 0.3, 0.5, 0.9]) expect(norm(slerp(x, y, u))).toBeCloseTo(2 + 2 * u, 5);
  });

  it('slerp falls back to lerp for zero vectors and (anti)parallel directions', () => {
    const zero = f32(0, 0, 0);
    expect(Array.from(slerp(zero, f32(2, 4, 6), 0.5))).toEqual(Array.from(lerp(zero, f32(2, 4, 6), 0.5)));
    const par = slerp(f32(1, 1, 0), f32(2, 2, 0), 0.5);
    expect(Array.from(par)).toEqual([1.5, 1.5, 0]);
    const nearlyPar = slerp(f32(1, 0, 0), f32(1, 1e-9, 0), 0.5);
    expect(nearlyPar.every(Number.isFinite)).toBe(true);
    const anti = slerp(f32(1, 0, 0), f32(-1, 0, 0), 0.25);
    expect(Array.from(anti)).toEqual([0.5, 0, 0]);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => slerp(f32(1, 2), f32(1, 2, 3), 0.5)).toThrow(/differ in length/);
  });
});

describe('easing', () => {
  it('every easing maps 0 → 0, 1 → 1 and is monotone', () => {
    for (const e of EASINGS) {
      expect(ease(e, 0)).toBe(0);
      expect(ease(e, 1)).toBe(1);
      let prev = 0;
      for (let i = 1; i <= 100; i++) {
        const v = ease(e, i / 100);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
      }
    }
    expect(ease('ease-in-out', 0.5)).toBeCloseTo(0.5, 12);
    expect(ease('ease-in-out', 0.1)).toBeLessThan(0.1);
  });
});

describe('interpolatePath', () => {
  const z0 = f32(-1.5, 0.25);
  const z1 = f32(2.75, -3.125);
  const z2 = f32(0.5, 4);

  it('starts at z₀ and ends at zₙ exactly, with N rows', () => {
    for (const mode of ['linear', 'spherical'] as const) {
      for (const easing of EASINGS) {
        const path = interpolatePath([z0, z1, z2], { frames: 17, mode, easing });
        expect(path.length).toBe(17 * 2);
        expect(Array.from(row(path, 0, 2))).toEqual(Array.from(z0));
        expect(Array.from(row(path, 16, 2))).toEqual(Array.from(z2));
      }
    }
  });

  it('linear steps are evenly spaced along one segment', () => {
    const path = interpolatePath([f32(0, 0), f32(10, 0)], { frames: 11 });
    expect(Array.from({ length: 11 }, (_, k) => path[k * 2])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => Math.fround(v)));
  });

  it('spreads frames over segments in proportion to their length, or equally', () => {
    const a = f32(0, 0);
    const b = f32(3, 0); // length 3
    const c = f32(3, 1); // length 1
    expect(framesPerSegment([a, b, c], { frames: 41 })).toEqual([30, 11]);
    expect(framesPerSegment([a, b, c], { frames: 41, spacing: 'equal' })).toEqual([20, 21]);
    // The middle keyframe is hit exactly when a frame falls on it.
    const path = interpolatePath([a, b, c], { frames: 5 });
    expect(Array.from(row(path, 3, 2))).toEqual([3, 0]);
  });

  it('uses one mode per segment when given a list', () => {
    const a = f32(1, 0);
    const b = f32(0, 1);
    const c = f32(-1, 0);
    const path = interpolatePath([a, b, c], { frames: 5, mode: ['linear', 'spherical'], spacing: 'equal' });
    // Frame 1 is the midpoint of the linear segment, frame 3 of the spherical one.
    expect(row(path, 1, 2)[0]).toBeCloseTo(0.5, 6);
    expect(norm(row(path, 3, 2))).toBeCloseTo(1, 6);
    expect(() => interpolatePath([a, b, c], { frames: 5, mode: ['linear'] })).toThrow(/1 segment modes given for 2 segments/);
  });

  it('ping-pong goes out to zₙ and returns to z₀ symmetrically', () => {
    const n = 21;
    const path = interpolatePath([z0, z1, z2], { frames: n, loop: 'ping-pong', mode: 'spherical', easing: 'ease-in-out' });
    expect(Array.from(row(path, 0, 2))).toEqual(Array.from(z0));
    expect(Array.from(row(path, n - 1, 2))).toEqual(Array.from(z0));
    expect(Array.from(row(path, (n - 1) / 2, 2))).toEqual(Array.from(z2));
    for (let k = 0; k < n; k++) expect(Array.from(row(path, k, 2))).toEqual(Array.from(row(path, n - 1 - k, 2)));
  });

  it('rejects bad inputs with clear messages', () => {
    expect(() => interpolatePath([z0], { frames: 10 })).toThrow(/at least 2 keyframes/);
    expect(() => interpolatePath([z0, f32(1, 2, 3)], { frames: 10 })).toThrow(/keyframe 1 has 3 values/);
    expect(() => interpolatePath([z0, z1], { frames: 1 })).toThrow(/frames must be an integer from 2/);
    expect(() => interpolatePath([z0, z1], { frames: 2, loop: 'ping-pong' })).toThrow(/from 3 .* with ping-pong/);
    expect(() => interpolatePath([z0, f32(NaN, 1)], { frames: 5 })).toThrow(/non-finite/);
    expect(() => interpolatePath([z0, z1], { frames: 5, easing: 'bouncy' as never })).toThrow(/unknown easing "bouncy"/);
  });
});

describe('PathSpec', () => {
  const keyframes = [f32(0.1, 0.2), f32(-1, 2), f32(3, 3)];
  const spec = makePathSpec(keyframes, {
    frames: 30,
    mode: ['spherical', 'linear'],
    easing: 'ease-in-out',
    loop: 'ping-pong',
    fps: 24,
    sources: [{ index: 7, label: '3' }],
  });

  it('round-trips through JSON to the same frames', () => {
    const reopened = parsePathSpec(serializePathSpec(spec), 2);
    expect(reopened).toEqual(spec);
    const { keyframes: k2, options } = pathFromSpec(reopened);
    expect(Array.from(interpolatePath(k2, options))).toEqual(
      Array.from(interpolatePath(keyframes, { frames: 30, mode: ['spherical', 'linear'], easing: 'ease-in-out', loop: 'ping-pong' })),
    );
  });

  it('fills defaults for optional fields', () => {
    const minimal = { format: 'latentscape-path', version: 1, latentDim: 2, keyframes: [{ z: [0, 0] }, { z: [1, 1] }], segments: ['linear'], frames: 10 };
    const parsed = parsePathSpec(JSON.stringify(minimal));
    expect(parsed.easing).toBe('linear');
    expect(parsed.loop).toBe('none');
    expect(parsed.spacing).toBe('length');
  });

  const good = JSON.parse(serializePathSpec(spec)) as Record<string, unknown>;
  const corrupt: [string, string | unknown, RegExp][] = [
    ['empty file', '', /is empty/],
    ['truncated JSON', serializePathSpec(spec).slice(0, 40), /not valid JSON/],
    ['an array', '[1,2]', /must hold a JSON object, found an array/],
    ['another format', { ...good, format: 'something-else' }, /not a Latentscape path/],
    ['a newer version', { ...good, version: 9 }, /newer than this Latentscape reads/],
    [
      'a keyframe of the wrong length',
      { ...good, keyframes: [{ z: [1, 2] }, { z: [1, 2, 3] }, { z: [0, 0] }] },
      /keyframes\[1\]\.z has 3 values but latentDim is 2/,
    ],
    ['a string in a vector', { ...good, keyframes: [{ z: [1, 'x'] }, { z: [1, 2] }, { z: [0, 0] }] }, /keyframes\[0\]\.z\[1\]/],
    ['one keyframe', { ...good, keyframes: [{ z: [1, 2] }], segments: [] }, /at least 2 keyframes/],
    ['wrong segment count', { ...good, segments: ['linear'] }, /segments has 1 entries but 3 keyframes make 2 segments/],
    ['an unknown mode', { ...good, segments: ['linear', 'wiggly'] }, /segments\[1\]/],
    ['zero frames', { ...good, frames: 0 }, /frames/],
    ['an unknown field', { ...good, extra: true }, /extra/],
  ];
  for (const [what, input, message] of corrupt) {
    it(`refuses ${what}`, () => {
      const text = typeof input === 'string' ? input : JSON.stringify(input);
      expect(() => parsePathSpec(text)).toThrow(PathSpecError);
      expect(() => parsePathSpec(text)).toThrow(message);
    });
  }

  it('refuses a path for another latent size', () => {
    expect(() => parsePathSpec(serializePathSpec(spec), 8)).toThrow(/latent size 2 but the model's latent size is 8/);
  });
});
