import { describe, expect, it } from 'vitest';
import { LatestOnly } from './latest-only';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LatestOnly (decoding while dragging)', () => {
  it('keeps one request in flight and only the latest pending; stale ones are never sent', async () => {
    const sent: number[] = [];
    const waiting: ((v: string) => void)[] = [];
    const shown: [number, string][] = [];
    const q = new LatestOnly<number, string>(
      (n) => {
        sent.push(n);
        const d = deferred<string>();
        waiting.push(d.resolve);
        return d.promise;
      },
      (n, out) => shown.push([n, out]),
    );
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(sent).toEqual([1]);
    waiting.shift()!('image 1');
    await new Promise((r) => setTimeout(r, 0));
    // 2, 3 and 4 were replaced while pending: only 5 follows.
    expect(sent).toEqual([1, 5]);
    expect(shown).toEqual([[1, 'image 1']]);
    q.push(6);
    waiting.shift()!('image 5');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([1, 5, 6]);
    waiting.shift()!('image 6');
    await new Promise((r) => setTimeout(r, 0));
    // Each result arrives with the input that produced it.
    expect(shown).toEqual([
      [1, 'image 1'],
      [5, 'image 5'],
      [6, 'image 6'],
    ]);
    expect(q.stats).toMatchObject({ sent: 3, dropped: 3, delivered: 3 });
    expect(q.busy).toBe(false);
  });

  it('goes on after a failure', async () => {
    const failures: number[] = [];
    const q = new LatestOnly<number, number>(
      (n) => (n === 1 ? Promise.reject(new Error('no')) : Promise.resolve(n * 10)),
      () => {},
      (n) => failures.push(n),
    );
    q.push(1);
    q.push(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(failures).toEqual([1]);
    expect(q.stats).toMatchObject({ sent: 2, failed: 1, delivered: 1 });
  });
});
