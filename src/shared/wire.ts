/**
 * Binary frames for the WebSocket transport: a JSON header for the structure and the typed arrays'
 * bytes appended after it, so big arrays never become JSON number lists and decode as views (no copy
 * when aligned). Works in Node and the browser (no Buffer, no DOM).
 *
 * Frame: [u32 LE header length][header: UTF-8 JSON][padding to 8][array bytes, each 8-aligned]
 * Header: { v: <value with each typed array replaced by {"$bin": i}>, bins: [[type, offset, length], …] }
 */
const TYPES = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypeName = keyof typeof TYPES;
type AnyTypedArray = InstanceType<(typeof TYPES)[TypeName]>;

function typeNameOf(value: ArrayBufferView): TypeName | null {
  for (const name of Object.keys(TYPES) as TypeName[]) {
    if (value instanceof TYPES[name]) return name;
  }
  return null;
}

const align8 = (n: number): number => (n + 7) & ~7;

export class WireError extends Error {}

/** Deeper than any contract value; bounds the decoder's recursion. */
const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Encodes a value (plain objects, arrays, strings, numbers, booleans, null and typed arrays). */
export function encodeFrame(value: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = [];
  const names: TypeName[] = [];
  const replace = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      const name = typeNameOf(v);
      if (!name) throw new WireError(`cannot send a ${v.constructor.name}`);
      arrays.push(v as AnyTypedArray);
      names.push(name);
      return { $bin: arrays.length - 1 };
    }
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = replace(x);
      return out;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  };
  const structure = replace(value);
  let offset = 0;
  const bins: [TypeName, number, number][] = arrays.map((a, i) => {
    const entry: [TypeName, number, number] = [names[i], offset, a.length];
    offset = align8(offset + a.byteLength);
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ v: structure, bins }));
  const dataStart = align8(4 + header.byteLength);
  const frame = new Uint8Array(dataStart + offset);
  new DataView(frame.buffer).setUint32(0, header.byteLength, true);
  frame.set(header, 4);
  arrays.forEach((a, i) => {
    frame.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + bins[i][1]);
  });
  return frame;
}

/** Decodes a frame; typed arrays are views into `bytes` where alignment allows, else copies. */
export function decodeFrame(bytes: ArrayBuffer | Uint8Array): unknown {
  const frame = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (frame.byteLength < 4) throw new WireError('frame too short');
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new WireError('frame header is truncated');
  let header: { v: unknown; bins: [TypeName, number, number][] };
  try {
    header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerLength)));
  } catch {
    throw new WireError('frame header is not JSON');
  }
  if (!header || typeof header !== 'object' || !Array.isArray(header.bins)) throw new WireError('frame header has no bins');
  const dataStart = align8(4 + headerLength);
  // Arrays may not overlap, so together they fit the data part: a header cannot make the decoder copy
  // the same bytes over and over.
  let claimed = 0;
  const arrays = header.bins.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 3) throw new WireError('bad array entry in frame header');
    const [name, offset, length] = entry;
    const Ctor = Object.hasOwn(TYPES, name) ? TYPES[name] : undefined;
    if (!Ctor || !Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) throw new WireError('bad array entry in frame header');
    const start = frame.byteOffset + dataStart + offset;
    const byteLength = length * Ctor.BYTES_PER_ELEMENT;
    if (dataStart + offset + byteLength > frame.byteLength) throw new WireError('frame is truncated');
    claimed += byteLength;
    if (dataStart + claimed > frame.byteLength) throw new WireError('frame arrays overlap');
    if (start % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(frame.buffer as ArrayBuffer, start, length);
    // Copy (Node's Buffer#slice would return a view of its shared pool, not a copy).
    return new Ctor(new Uint8Array(frame.subarray(dataStart + offset, dataStart + offset + byteLength)).buffer as ArrayBuffer);
  });
  const restore = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new WireError(`frame is nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(v)) return v.map((x) => restore(x, depth + 1));
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$bin') {
        const index = (v as { $bin: unknown }).$bin;
        const a = Number.isInteger(index) ? arrays[index as number] : undefined;
        if (!a) throw new WireError('frame refers to a missing array');
        return a;
      }
      if (keys.length === 1 && keys[0] === '$num') return Number((v as { $num: string }).$num);
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        // JSON.parse keeps "__proto__" as a plain key, but assigning it would set the prototype.
        if (FORBIDDEN_KEYS.has(k)) throw new WireError(`frame has a forbidden key "${k}"`);
        out[k] = restore((v as Record<string, unknown>)[k], depth + 1);
      }
      return out;
    }
    return v;
  };
  return restore(header.v, 0);
}

// Messages over the socket (both directions use frames).
export type ClientMessage = { kind: 'call'; id: number; method: string; args: unknown };
export type ServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | { kind: 'event'; name: string; data: unknown };
