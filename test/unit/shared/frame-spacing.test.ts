import { describe, expect, it } from 'vitest';
import { changeSampleCount, equalChangeClock, frameOrder, keyframeFrames, pixelChanges, timelineTime } from '../../../src/shared/frame-spacing';

/** A synthetic path of 1-pixel images whose value at clock s rises 3 times faster in the first half. */
function syntheticFrames(samples: number): Uint8Array {
  const pixels = new Uint8Array(samples);
  for (let j = 0; j < samples; j++) {
    const s = j / (samples - 1);
    pixels[j] = Math.round(s <= 0.5 ? 360 * s : 180 + 120 * (s - 0.5));
  }
  return pixels;
}

describe('equal-change frame spacing', () => {
  it('puts more frames where the images change fast (hand-computed)', () => {
    // Dense steps: four of change 3, then four of change 1 → cumulative 0 3 6 9 12 13 14 15 16.
    // Five frames at change 0, 4, 8, 12, 16: 4 → (1 + 1/3)/8, 8 → (2 + 2/3)/8, 12 → 4/8, 16 → 1.
    const clock = equalChangeClock([3, 3, 3, 3, 1, 1, 1, 1], 5);
    expect(clock).toHaveLength(5);
    [0, 1 / 6, 1 / 3, 1 / 2, 1].forEach((v, k) => expect(clock[k]).toBeCloseTo(v, 12));
  });

  it('measures the change of decoded pixels and spaces a synthetic path by it', () => {
    const samples = 9;
    const changes = pixelChanges(syntheticFrames(samples), 1, samples);
    expect(Array.from(changes)).toEqual([45, 45, 45, 45, 15, 15, 15, 15]);
    const clock = equalChangeClock(changes, 9);
    const firstHalf = clock.filter((s) => s < 0.5).length;
    const secondHalf = clock.filter((s) => s > 0.5).length;
    expect(firstHalf).toBe(6);
    expect(secondHalf).toBe(2);
    // Each step between consecutive frames covers the same change: 240 / 8 = 30 levels.
    const value = (s: number): number => (s <= 0.5 ? 360 * s : 180 + 120 * (s - 0.5));
    for (let k = 1; k < clock.length; k++) expect(value(clock[k]) - value(clock[k - 1])).toBeCloseTo(30, 9);
  });

  it('keeps even spacing for a path whose images never change, and refuses bad input', () => {
    expect(equalChangeClock([0, 0, 0], 4)).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(() => equalChangeClock([1, Number.NaN], 3)).toThrow(/change 1 is NaN/);
    expect(() => equalChangeClock([1], 1)).toThrow(/2 to/);
    expect(() => pixelChanges(new Uint8Array(5), 2, 2)).toThrow(/not 2 frames of 2/);
  });

  it('samples densely, within bounds', () => {
    expect(changeSampleCount(60)).toBe(240);
    expect(changeSampleCount(5000)).toBe(4096);
  });
});

describe('hold frames and repeats', () => {
  it('finds the frames at the keyframes, twice on a ping-pong path', () => {
    const times = [0, 0.2, 0.4, 0.6, 0.8, 1];
    expect(keyframeFrames(times, [0, 0.45, 1])).toEqual([0, 2, 5]);
    const ping = Array.from({ length: 9 }, (_, k) => timelineTime(k / 8, true));
    expect(ping).toEqual([0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0]);
    expect(keyframeFrames(ping, [0, 0.5, 1])).toEqual([0, 2, 4, 6, 8]);
  });

  it('holds and repeats in order', () => {
    expect(frameOrder(4, [0, 3], 2, 1)).toEqual([0, 0, 0, 1, 2, 3, 3, 3]);
    expect(frameOrder(3, [1], 1, 2)).toEqual([0, 1, 1, 2, 0, 1, 1, 2]);
    expect(() => frameOrder(3, [], -1, 1)).toThrow(/hold frames/);
    expect(() => frameOrder(3, [], 0, 0)).toThrow(/loop count/);
  });
});
