import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterFirstView, type FirstViewBounds } from './after-first-view';

const bounds: FirstViewBounds = { afterStartMs: 1500, latestMs: 4000 };
const never = <T>() => new Promise<T>(() => {});

/** Whether `p` has resolved once the timers have run `ms` further. */
async function settledAfter(p: Promise<void>, ms: number): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(ms);
  return done;
}

describe('afterFirstView', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves when the first cloud is drawn, not before', async () => {
    let drawn!: () => void;
    const cloud = new Promise<void>((r) => (drawn = r));
    const p = afterFirstView(Promise.resolve(), () => true, cloud, bounds);
    expect(await settledAfter(p, 500)).toBe(false);
    drawn();
    expect(await settledAfter(p, 0)).toBe(true);
  });

  it('resolves as soon as the start is over when there are no points to draw', async () => {
    let started!: () => void;
    const start = new Promise<void>((r) => (started = r));
    const p = afterFirstView(start, () => false, never(), bounds);
    expect(await settledAfter(p, 1000)).toBe(false);
    started();
    expect(await settledAfter(p, 0)).toBe(true);
  });

  it('takes a failed start as over', async () => {
    const p = afterFirstView(Promise.reject(new Error('no service')), () => false, never(), bounds);
    expect(await settledAfter(p, 0)).toBe(true);
  });

  it('with points but no frame drawn, gives the cloud afterStartMs after the start', async () => {
    const p = afterFirstView(Promise.resolve(), () => true, never(), bounds);
    expect(await settledAfter(p, bounds.afterStartMs - 10)).toBe(false);
    expect(await settledAfter(p, 20)).toBe(true);
  });

  it('resolves at latestMs however the start goes', async () => {
    const p = afterFirstView(never(), () => true, never(), bounds);
    expect(await settledAfter(p, bounds.latestMs - 10)).toBe(false);
    expect(await settledAfter(p, 20)).toBe(true);
  });
});
