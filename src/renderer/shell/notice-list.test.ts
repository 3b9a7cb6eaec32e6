import { describe, expect, it } from 'vitest';
import { MAX_NOTICES, raiseNotice, type Notice } from './notice-list';

describe('raiseNotice', () => {
  it('counts an identical notice on the one shown (same id, moved to the end) instead of stacking it', () => {
    let list: Notice[] = [];
    list = raiseNotice(list, 'info', 'project saved', 1).list;
    list = raiseNotice(list, 'error', 'engine stopped', 2).list;
    const again = raiseNotice(list, 'info', 'project saved', 3);
    expect(again.notice).toEqual({ id: 1, level: 'info', message: 'project saved', count: 2 });
    expect(again.list.map((n) => [n.id, n.count])).toEqual([
      [2, 1],
      [1, 2],
    ]);
  });

  it('keeps the same message at another level apart', () => {
    const first = raiseNotice([], 'info', 'x', 1).list;
    expect(raiseNotice(first, 'error', 'x', 2).list.map((n) => n.id)).toEqual([1, 2]);
  });

  it(`keeps at most ${MAX_NOTICES}, dropping the oldest`, () => {
    let list: Notice[] = [];
    for (let i = 1; i <= MAX_NOTICES + 2; i++) list = raiseNotice(list, 'warning', `w${i}`, i).list;
    expect(list.map((n) => n.id)).toEqual(Array.from({ length: MAX_NOTICES }, (_, i) => i + 3));
  });
});
