/**
 * Property-based fuzzing of every contract schema: each call's arguments (random values and mutated
 * valid ones) are either accepted or refused with a ContractError('bad-arguments') naming the call;
 * every result and event schema answers any value without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, ContractError, EVENT_NAMES, calls, events, parseCallInput, type CallName } from '../../../src/shared/contract';
import { SEED, anyValue, isClearError, nastyKey } from './mutate';

const f32 = (n: number) => new Float32Array(n);
const path = {
  latentDim: 2,
  keyframes: f32(4),
  sources: [null, { index: 1, label: 'x' }],
  segments: ['linear'],
  frames: 8,
  easing: 'linear',
  loop: 'none',
  spacing: 'equal',
};
/** A valid argument object for each call that takes some (the seeds of the mutations). */
const VALID: Partial<Record<CallName, Record<string, unknown>>> = {
  choosePath: { purpose: 'dataset', defaultName: 'a.gif' },
  openDataset: { source: { kind: 'folder', path: '/data/cats', size: 32, color: 'rgb', fit: 'cover' } },
  trainStart: { arch: 'conv', latentDim: 8, epochs: 3, batchSize: 64, lr: 0.001, beta: 1, likelihood: 'gaussian', seed: 1, limit: 100, timeBudgetSeconds: 180 },
  trainResume: { epochs: 4 },
  projection: { kind: 'pca' },
  decode: { z: f32(6) },
  reconstruct: { index: 3 },
  nearest: { z: f32(2), k: 8, space: 'pixel', among: 'train' },
  atlas: { page: 1 },
  interpolate: { keyframes: f32(4), frames: 10, mode: ['linear'], easing: 'ease-in', loop: 'ping-pong', spacing: 'length', decode: true },
  export: { path: '/tmp/a.gif', keyframes: f32(4), frames: 10, fps: 24, scale: 2 },
  exportImage: { path: '/tmp/a.png', z: f32(2), scale: 4 },
  exportPoints: { path: '/tmp/p.csv' },
  pathSave: { path: '/tmp/p.json', doc: path },
  pathOpen: { path: '/tmp/p.json' },
  projectSave: { path: '/tmp/proj', view: { camera: { position: [0, 0, 5], target: [0, 0, 0] }, paths: [path], activePath: 0 } },
  projectOpen: { path: '/tmp/proj' },
  projectUpdate: { view: { camera: null, paths: [], activePath: null }, autosave: true },
  projectRelocate: { folder: '/data/moved' },
  encodeImage: { name: 'photo.jpg', bytes: new Uint8Array([255, 216, 255]) },
  selectionExport: { kind: 'csv', path: '/tmp/l.csv', ids: new Int32Array([1]) },
};

/** A mutation of a valid argument object: one field replaced, removed or added (one level deep too). */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.tuple(fc.constantFrom(...keys), fc.constantFrom('replace', 'delete', 'add', 'deep'), anyValue, nastyKey).map(([key, op, value, extra]) => {
    const copy: Record<string, unknown> = { ...valid };
    if (op === 'replace') copy[key] = value;
    else if (op === 'delete') delete copy[key];
    else if (op === 'add') Object.defineProperty(copy, extra, { value, enumerable: true, writable: true, configurable: true });
    else {
      const inner = copy[key];
      if (inner && typeof inner === 'object' && !ArrayBuffer.isView(inner)) {
        const clone: Record<string, unknown> = Array.isArray(inner) ? ([...inner] as never) : { ...(inner as Record<string, unknown>) };
        const innerKeys = Object.keys(clone);
        clone[innerKeys.length ? innerKeys[extra.length % innerKeys.length] : extra] = value;
        copy[key] = clone;
      } else copy[key] = value;
    }
    return copy;
  });
}

function parsesOrRefuses(name: CallName, args: unknown): void {
  try {
    parseCallInput(name, args);
  } catch (err) {
    expect(isClearError(err, ContractError), String(err)).toBe(true);
    expect((err as ContractError).code).toBe('bad-arguments');
    expect((err as ContractError).message.startsWith(`${name}: invalid arguments`)).toBe(true);
  }
}

describe('contract schemas (fuzz)', () => {
  it('the valid seeds are valid', () => {
    for (const [name, args] of Object.entries(VALID)) expect(() => parseCallInput(name as CallName, args), name).not.toThrow();
  });

  it.each(CALL_NAMES)('%s: any value is accepted or refused with bad-arguments', (name) => {
    fc.assert(
      fc.property(anyValue, (args) => parsesOrRefuses(name, args)),
      { seed: SEED, numRuns: 150 },
    );
    const valid = VALID[name];
    if (valid) {
      fc.assert(
        fc.property(mutated(valid), (args) => parsesOrRefuses(name, args)),
        { seed: SEED, numRuns: 300 },
      );
    }
  });

  it('result and event schemas answer any value without throwing', () => {
    const schemas = [...CALL_NAMES.map((n) => calls[n].output), ...EVENT_NAMES.map((n) => events[n])];
    fc.assert(
      fc.property(fc.nat({ max: schemas.length - 1 }), anyValue, (i, value) => {
        const result = schemas[i].safeParse(value);
        expect(typeof result.success).toBe('boolean');
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
