import { describe, expect, it } from 'vitest';
import { ScratchBuffers } from '../../../../src/engine/data/ingest/scratch-buffers.mjs';

describe('ScratchBuffers: decode buffers handed back and reused', () => {
  it('hands a given-back buffer out again instead of allocating', () => {
    const buffers = new ScratchBuffers(4, 1024);
    const first = buffers.take(300);
    expect(first.length).toBe(300);
    buffers.give(first);
    expect(buffers.take(300)).toBe(first);
    // Taken again: the next one is new.
    expect(buffers.take(300)).not.toBe(first);
  });

  it('reuses only a buffer big enough, and the smallest one that is', () => {
    const buffers = new ScratchBuffers(4, 1024);
    const small = buffers.take(100);
    const medium = buffers.take(400);
    const large = buffers.take(900);
    buffers.give(large);
    buffers.give(small);
    buffers.give(medium);
    expect(buffers.take(200)).toBe(medium);
    const fresh = buffers.take(1000);
    expect(fresh).not.toBe(large);
    expect(fresh.length).toBe(1000);
    expect(buffers.take(50)).toBe(small);
  });

  it('keeps at most maxCount buffers, the larger ones, and none over maxBytes', () => {
    const buffers = new ScratchBuffers(2, 1000);
    buffers.give(Buffer.alloc(2000));
    expect(buffers.free.length).toBe(0);
    const a = Buffer.alloc(100);
    const b = Buffer.alloc(500);
    const c = Buffer.alloc(300);
    buffers.give(a);
    buffers.give(b);
    buffers.give(c); // replaces a, the smallest
    expect(buffers.free.map((x) => x.length).sort((x, y) => x - y)).toEqual([300, 500]);
    buffers.give(Buffer.alloc(200)); // smaller than every kept one: dropped
    expect(buffers.free.map((x) => x.length).sort((x, y) => x - y)).toEqual([300, 500]);
  });
});
