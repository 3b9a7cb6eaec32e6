/**
 * Property-based fuzzing of the serve host's frame decoder (src/shared/wire.ts): random bytes,
 * mutated valid frames and hand-shaped headers each decode or give a WireError — no other exception,
 * no prototype set from a key, and never more array bytes out than frame bytes in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError, decodeFrame, encodeFrame } from '../../../src/shared/wire';
import { SEED, anyJson, isClearError, nastyKey } from './mutate';

/** Decodes, checking the promises every outcome must keep; returns whether it decoded. */
function decodesSafely(frame: Uint8Array): boolean {
  let value: unknown;
  try {
    value = decodeFrame(frame);
  } catch (err) {
    if (!isClearError(err, WireError)) throw err;
    return false;
  }
  let arrayBytes = 0;
  const walk = (v: unknown, depth: number): void => {
    expect(depth).toBeLessThan(64);
    if (ArrayBuffer.isView(v)) arrayBytes += v.byteLength;
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v && typeof v === 'object') {
      // Plain objects only: a "__proto__" key never becomes a prototype.
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(value, 0);
  expect(arrayBytes).toBeLessThanOrEqual(frame.byteLength);
  return true;
}

const typedArray = fc.oneof(
  fc.float32Array({ maxLength: 16 }),
  fc.float64Array({ maxLength: 8 }),
  fc.int32Array({ maxLength: 16 }),
  fc.uint8Array({ maxLength: 33 }),
  fc.int16Array({ maxLength: 9 }),
);
/** Values the encoder accepts: JSON plus typed arrays anywhere. */
const wireValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyJson,
    typedArray,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function header(h: unknown, dataBytes = 0): Uint8Array {
  return headerText(JSON.stringify(h), dataBytes);
}

function headerText(text: string, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(text);
  const start = (4 + json.byteLength + 7) & ~7;
  const frame = new Uint8Array(start + dataBytes);
  new DataView(frame.buffer).setUint32(0, json.byteLength, true);
  frame.set(json, 4);
  return frame;
}

describe('frame decoder (fuzz)', () => {
  it('random bytes: a value or a WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodesSafely(bytes);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('valid frames round-trip; mutated ones decode safely or give a WireError', () => {
    fc.assert(
      fc.property(wireValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat()), (value, flips, cut) => {
        const frame = encodeFrame(value);
        expect(decodesSafely(frame)).toBe(true);
        const mutated = new Uint8Array(frame);
        for (const [at, byte] of flips) if (mutated.length) mutated[at % mutated.length] = byte;
        decodesSafely(cut === null ? mutated : mutated.subarray(0, cut % (mutated.length + 1)));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('hand-shaped headers: bad bins, missing arrays, nasty keys, deep nesting, overlapping arrays', () => {
    const bin = fc.tuple(
      fc.constantFrom('Float32Array', 'Uint8Array', 'Float64Array', 'toString', '__proto__', 'Array', 7),
      fc.oneof(fc.integer({ min: -8, max: 64 }), fc.constant(1e300)),
      fc.oneof(fc.integer({ min: -1, max: 64 }), fc.constant(2 ** 40)),
    );
    const node = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        anyJson,
        fc.record({ $bin: fc.oneof(fc.nat({ max: 4 }), fc.constantFrom('length', -1, 0.5, '__proto__')) }),
        fc.record({ $num: fc.constantFrom('Infinity', '-Infinity', 'NaN', '1e999', 'x') }),
        fc.dictionary(nastyKey, tie('v'), { maxKeys: 3 }),
        fc.array(tie('v'), { maxLength: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(node, fc.oneof(fc.array(bin, { maxLength: 6 }), anyJson), fc.nat({ max: 128 }), (v, bins, data) => {
        decodesSafely(header({ v, bins }, data));
      }),
      { seed: SEED, numRuns: 3000 },
    );
    // Deep nesting is refused, not recursed into until the stack overflows.
    expect(() => decodeFrame(headerText(`{"v":${'['.repeat(5000)}${']'.repeat(5000)},"bins":[]}`))).toThrow(WireError);
    expect(() => decodeFrame(headerText(`{"v":${'['.repeat(1e6)},"bins":[]}`))).toThrow(WireError);
    // Two bins over the same bytes (a header cannot make the decoder copy the data again and again).
    expect(() =>
      decodeFrame(
        header(
          {
            v: [{ $bin: 0 }, { $bin: 1 }],
            bins: [
              ['Uint8Array', 0, 64],
              ['Uint8Array', 0, 64],
            ],
          },
          64,
        ),
      ),
    ).toThrow(/overlap/);
  });
});
