import { describe, expect, it } from 'vitest';
import { FINAL_LR_FRACTION, WARMUP_FRACTION, planFor, planProgress, scheduledLr } from '../../../../src/engine/train/lr-schedule';

describe('learning-rate schedule', () => {
  it('a constant rate stays; a cosine one warms up to lr, halves its decay midway and ends at the final fraction', () => {
    for (const p of [0, 0.3, 1]) expect(scheduledLr(3e-3, 'constant', p)).toBe(3e-3);
    // The warm-up: from the final fraction (never 0, so the first step moves) rising linearly to the full rate.
    expect(scheduledLr(3e-3, 'cosine', 0)).toBeCloseTo(3e-3 * FINAL_LR_FRACTION, 12);
    const cosineAt = (p: number) => FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * p));
    expect(scheduledLr(3e-3, 'cosine', WARMUP_FRACTION / 2)).toBeCloseTo(3e-3 * 0.5 * cosineAt(WARMUP_FRACTION / 2), 12);
    expect(scheduledLr(3e-3, 'cosine', WARMUP_FRACTION)).toBeCloseTo(3e-3 * cosineAt(WARMUP_FRACTION), 12);
    let rising = 0;
    for (let p = 0; p <= WARMUP_FRACTION; p += WARMUP_FRACTION / 10) {
      const lr = scheduledLr(1, 'cosine', p);
      expect(lr).toBeGreaterThanOrEqual(rising);
      rising = lr;
    }
    expect(rising).toBeGreaterThan(0.95);
    expect(scheduledLr(3e-3, 'cosine', 0.5)).toBeCloseTo(3e-3 * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) / 2), 12);
    expect(scheduledLr(3e-3, 'cosine', 1)).toBeCloseTo(3e-3 * FINAL_LR_FRACTION, 12);
    // Past the end (a budget overrun) it stays at the floor; it never rises again.
    expect(scheduledLr(3e-3, 'cosine', 1.4)).toBeCloseTo(3e-3 * FINAL_LR_FRACTION, 12);
    let last = Infinity;
    for (let p = WARMUP_FRACTION; p <= 1; p += 0.05) {
      const lr = scheduledLr(1, 'cosine', p);
      expect(lr).toBeLessThanOrEqual(last);
      last = lr;
    }
  });

  it('progress counts the plan’s steps, or the time budget when that is further along', () => {
    const plan = { fromEpoch: 2, toEpoch: 6 };
    expect(planProgress(plan, 2, 0, 10, null)).toBe(0);
    expect(planProgress(plan, 4, 0, 10, null)).toBe(0.5);
    expect(planProgress(plan, 5, 9, 10, null)).toBe(39 / 40);
    expect(planProgress(plan, 2, 5, 10, 0.8)).toBe(0.8);
    expect(planProgress(plan, 5, 0, 10, 0.1)).toBe(0.75);
  });

  it('a resume to the same epochs keeps the saved plan; other epochs, a time budget or no plan start a new one', () => {
    const saved = { fromEpoch: 0, toEpoch: 10 };
    expect(planFor(4, 10, saved, false)).toEqual(saved);
    expect(planFor(4, 20, saved, false)).toEqual({ fromEpoch: 4, toEpoch: 20 });
    expect(planFor(4, 10, saved, true)).toEqual({ fromEpoch: 4, toEpoch: 10 });
    expect(planFor(4, 10, null, false)).toEqual({ fromEpoch: 4, toEpoch: 10 });
    expect(planFor(0, 10, undefined, false)).toEqual({ fromEpoch: 0, toEpoch: 10 });
  });
});
