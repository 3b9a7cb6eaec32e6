/**
 * Shared pieces of the property-based tests: one fixed seed, and mutators that turn a valid document
 * into a nearly valid one (the inputs a parser is most likely to mishandle).
 */
import fc from 'fast-check';

/** Fixed, so a failure reproduces; fast-check prints the counterexample and its path. */
export const SEED = 0x1a7e5ca9;

/** Keys that have bitten JSON handling before: prototype setters, the wire's markers, odd strings. */
export const nastyKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$bin', '$num', 'toString', '', 'length'),
  fc.string({ maxLength: 8 }),
);

/** Any value, including typed arrays, null-prototype objects, dates, maps, big ints, sparse arrays. */
export const anyValue = fc.anything({
  key: nastyKey,
  maxDepth: 4,
  maxKeys: 6,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withTypedArray: true,
  withSparseArray: true,
  withObjectString: true,
});

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON values with extreme numbers and long strings mixed in. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom<Json>(1e308, -1e308, 2 ** 53 + 1, -1, 0, 1e9, 1e12, 0.5, '', 'x'.repeat(5000), [], {}, null, true),
) as fc.Arbitrary<Json>;

/** Every path to a value inside `doc` (objects and arrays), the root included. */
function paths(doc: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (doc && typeof doc === 'object') for (const k of Object.keys(doc)) paths(doc[k], [...prefix, k], out);
  return out;
}

/** A structural mutation of `doc`: replace, delete or add at one of its paths. */
export function mutatedJson(doc: Json): fc.Arbitrary<Json> {
  const all = paths(doc);
  return fc.tuple(fc.nat({ max: all.length - 1 }), fc.constantFrom('replace', 'delete', 'add'), anyJson, nastyKey).map(([i, op, value, key]) => {
    const copy = JSON.parse(JSON.stringify(doc)) as Json;
    const path = all[i];
    if (path.length === 0) return op === 'replace' ? value : copy;
    let parent = copy as Record<string | number, Json>;
    for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
    const last = path[path.length - 1];
    if (op === 'replace') parent[last] = value;
    else if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (Array.isArray(target)) target.push(value);
      else if (target && typeof target === 'object') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      else parent[last] = value;
    }
    return copy;
  });
}

/** A textual mutation: truncate, insert, or overwrite characters (broken JSON, odd escapes). */
export function mutatedText(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 6, unit: 'binary' })).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
    fc
      .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '0', 'e', '\u0000', '\ud800'))
      .map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
  );
}

/** A (structurally or textually) mutated version of a valid JSON document, as text. */
export function mutatedDocument(doc: Json): fc.Arbitrary<string> {
  const text = JSON.stringify(doc);
  return fc.oneof(
    { weight: 3, arbitrary: mutatedJson(doc).map((d) => JSON.stringify(d) ?? 'undefined') },
    { weight: 1, arbitrary: mutatedText(text) },
    { weight: 1, arbitrary: fc.string({ maxLength: 64, unit: 'binary' }) },
  );
}

/** A clear error: of the expected kind, with a message that is a readable sentence, not a dump. */
export function isClearError(err: unknown, kind: new (...a: never[]) => Error): boolean {
  return err instanceof kind && typeof err.message === 'string' && err.message.length > 0 && err.message.length <= 2000;
}
