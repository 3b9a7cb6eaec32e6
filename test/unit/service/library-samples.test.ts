/**
 * The service's cache of sample strips, against a stand-in engine that records its requests: one
 * request per model, folder and manifest date; a new date asks again; requests go one at a time;
 * a failure is not cached; the cache stays within its byte bound.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_STRIP_BYTES, SampleStrips } from '../../../src/service/library-samples';
import { MODEL_SAMPLES_SEED, type Images } from '../../../src/shared/contract';

function engine(bytesPerImage = 4) {
  const asked: { dir: string; count: number; seed: number }[] = [];
  let running = 0;
  let most = 0;
  let fail = false;
  const stub = {
    asked,
    most: () => most,
    failNext: () => (fail = true),
    request: async (op: string, args: { dir: string; count: number; seed: number }): Promise<Images> => {
      expect(op).toBe('modelSamples');
      asked.push(args);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail) {
        fail = false;
        throw new Error('weights.bin is cut short');
      }
      return { count: args.count, height: 1, width: bytesPerImage, channels: 1, pixels: new Uint8Array(args.count * bytesPerImage).fill(asked.length) };
    },
  };
  return stub;
}

describe('sample strips (service cache)', () => {
  it('asks once per folder and date, again for a new date, one request at a time, with the fixed seed', async () => {
    const e = engine();
    const strips = new SampleStrips(e as never);
    const [a, b, c, a2] = await Promise.all([strips.strip('/m/a', 'd1'), strips.strip('/m/b', 'd1'), strips.strip('/m/c', 'd1'), strips.strip('/m/a', 'd1')]);
    expect(a2).toBe(a);
    expect(e.asked.map((x) => x.dir)).toEqual(['/m/a', '/m/b', '/m/c']);
    expect(e.asked.every((x) => x.seed === MODEL_SAMPLES_SEED && x.count === 8)).toBe(true);
    expect(e.most()).toBe(1);
    expect(b).not.toBe(c);
    expect(await strips.strip('/m/a', 'd1')).toBe(a);
    const retrained = await strips.strip('/m/a', 'd2');
    expect(retrained).not.toBe(a);
    expect(e.asked).toHaveLength(4);
    await strips.strip('/m/a', 'd2', 16);
    expect(e.asked.at(-1)).toMatchObject({ dir: '/m/a', count: 16 });
  });

  it('does not cache a failure, and a failure does not stop the queue', async () => {
    const e = engine();
    const strips = new SampleStrips(e as never);
    e.failNext();
    const [bad, good] = await Promise.allSettled([strips.strip('/m/x', 'd'), strips.strip('/m/y', 'd')]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    await expect(strips.strip('/m/x', 'd')).resolves.toMatchObject({ count: 8 });
    expect(e.asked.map((x) => x.dir)).toEqual(['/m/x', '/m/y', '/m/x']);
  });

  it('keeps at most MAX_CACHED_STRIP_BYTES, dropping the least recently used', async () => {
    const perStrip = MAX_CACHED_STRIP_BYTES / 4; // 4 strips fill it
    const e = engine(perStrip / 8);
    const strips = new SampleStrips(e as never);
    for (const dir of ['/1', '/2', '/3', '/4']) await strips.strip(dir, 'd');
    expect(strips.size).toBe(4);
    await strips.strip('/1', 'd'); // used again: /2 is now the oldest
    await strips.strip('/5', 'd');
    expect(strips.size).toBe(4);
    const asked = e.asked.length;
    await strips.strip('/1', 'd');
    expect(e.asked.length).toBe(asked);
    await strips.strip('/2', 'd');
    expect(e.asked.length).toBe(asked + 1);
  });
});
