import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterFirstCloud, afterFirstView, type FirstViewBounds } from './after-first-view';

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

describe('afterFirstCloud', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the task delayMs after the first cloud, not before it', async () => {
    let drawn!: () => void;
    const task = vi.fn();
    afterFirstCloud(task, 400, new Promise<void>((r) => (drawn = r)), bounds);
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).not.toHaveBeenCalled();
    drawn();
    await vi.advanceTimersByTimeAsync(390);
    expect(task).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(20);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(bounds.latestMs);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('once the cloud is drawn, counts delayMs from now', async () => {
    const task = vi.fn();
    afterFirstCloud(task, 400, Promise.resolve(), bounds);
    await vi.advanceTimersByTimeAsync(410);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('without a cloud, runs after latestMs + delayMs', async () => {
    const task = vi.fn();
    afterFirstCloud(task, 400, never(), bounds);
    await vi.advanceTimersByTimeAsync(bounds.latestMs + 390);
    expect(task).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(20);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('never runs once cancelled, before or after the cloud', async () => {
    const before = vi.fn();
    afterFirstCloud(before, 400, Promise.resolve(), bounds)();
    let drawn!: () => void;
    const after = vi.fn();
    const cancel = afterFirstCloud(after, 400, new Promise<void>((r) => (drawn = r)), bounds);
    drawn();
    await vi.advanceTimersByTimeAsync(100);
    cancel();
    await vi.advanceTimersByTimeAsync(bounds.latestMs + 1000);
    expect(before).not.toHaveBeenCalled();
    expect(after).not.toHaveBeenCalled();
  });
});
