import { describe, expect, it } from 'vitest';
import { WireError, decodeFrame, encodeFrame } from '../../../src/shared/wire';

describe('binary frames', () => {
  it('round-trips structure and typed arrays without JSON number lists', () => {
    const mu = new Float32Array([0.5, -1.25, 3, 4]);
    const labels = new Int32Array([7, -1]);
    const pixels = new Uint8Array([0, 128, 255]);
    const value = { kind: 'result', id: 3, ok: true, value: { mu, labels, nested: [{ pixels }], name: 'x', n: null, inf: Infinity } };
    const frame = encodeFrame(value);
    // The numbers are not in the JSON header.
    const headerLength = new DataView(frame.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
    expect(header).not.toContain('-1.25');
    const back = decodeFrame(frame) as typeof value;
    expect(back.value.mu).toBeInstanceOf(Float32Array);
    expect(Array.from(back.value.mu)).toEqual([0.5, -1.25, 3, 4]);
    expect(back.value.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(back.value.labels)).toEqual([7, -1]);
    expect(Array.from(back.value.nested[0].pixels)).toEqual([0, 128, 255]);
    expect(back.value.inf).toBe(Infinity);
    expect(back.value.n).toBeNull();
  });

  it('decodes frames that sit at an unaligned offset (Node buffers from a pool)', () => {
    const frame = encodeFrame({ z: new Float32Array([1, 2, 3]) });
    const pool = new Uint8Array(frame.byteLength + 3);
    pool.set(frame, 3);
    const back = decodeFrame(pool.subarray(3)) as { z: Float32Array };
    expect(Array.from(back.z)).toEqual([1, 2, 3]);
  });

  it('says what is wrong with a broken frame', () => {
    expect(() => decodeFrame(new Uint8Array(2))).toThrow(WireError);
    const frame = encodeFrame({ z: new Float32Array(100) });
    expect(() => decodeFrame(frame.subarray(0, frame.byteLength - 8))).toThrow('truncated');
  });
});
