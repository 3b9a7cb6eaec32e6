import { describe, expect, it } from 'vitest';
import { CALL_NAMES, EVENT_NAMES, calls, events, parseCallInput, type CallName } from '../../../src/shared/contract';
import { dispatch, type Handlers } from '../../../src/service/dispatch';

const PATH_DOC = {
  latentDim: 2,
  keyframes: new Float32Array([0, 0, 1, 1]),
  sources: [{ index: 3, label: '7' }, null],
  segments: ['linear'],
  frames: 24,
  easing: 'linear',
  loop: 'none',
  spacing: 'length',
};

/** One valid argument object per call: the starting point of every malformation below. */
const VALID = {
  status: {},
  choosePath: { purpose: 'dataset' },
  openDataset: { source: { kind: 'folder', path: '/data/images', size: 64, color: 'rgb', fit: 'cover' } },
  trainStart: { arch: 'mlp', latentDim: 2, epochs: 1, batchSize: 128, lr: 0.001, beta: 1, likelihood: 'bernoulli', binarize: false, seed: 0, limit: 2000 },
  trainCancel: {},
  trainResume: { epochs: 5 },
  embeddings: {},
  projection: { kind: 'pca' },
  decode: { z: new Float32Array([0, 0]) },
  reconstruct: { index: 3 },
  nearest: { z: new Float32Array([0, 0]), k: 5, space: 'pixel', among: 'train' },
  pointStats: {},
  atlas: { page: 2 },
  interpolate: { keyframes: new Float32Array(4), frames: 30, mode: ['spherical'], easing: 'ease-in-out', loop: 'ping-pong', spacing: 'equal', decode: true },
  export: {
    path: '/out/anim.gif',
    keyframes: new Float32Array(4),
    frames: 30,
    mode: 'spherical',
    easing: 'ease-in',
    loop: 'none',
    spacing: 'length',
    fps: 30,
    scale: 2,
  },
  exportCancel: {},
  exportImage: { path: '/out/decoded.png', z: new Float32Array(2), scale: 4 },
  exportPoints: { path: '/out/points.csv' },
  pathSave: { path: '/out/path.json', doc: PATH_DOC },
  pathOpen: { path: '/out/path.json' },
  projectSave: { path: '/projects/p1', view: { camera: { position: [0, 0, 5], target: [0, 0, 0] }, paths: [PATH_DOC], activePath: 0 } },
  projectOpen: { path: '/projects/p1' },
  projectUpdate: { view: { camera: null, paths: [], activePath: null }, autosave: true },
  recentProjects: {},
  projectCurrent: {},
  datasetFiles: {},
  projectRelocate: { folder: '/data/moved' },
  modelsList: {},
  modelOpen: { id: 'run-20261130-172600-abcdef' },
  modelRename: { id: 'run-1', name: 'icons 32px' },
  modelDuplicate: { id: 'builtin:default' },
  modelDelete: { id: 'run-1' },
  modelRestore: { trashId: 'run-1' },
  modelSamples: { id: 'builtin:default', count: 8 },
  modelImport: { path: '/models/from-a-friend' },
  modelExport: { id: 'run-1', parent: '/exports' },
  trashList: {},
  trashEmpty: { trashIds: ['run-1', 'run-2'] },
  encodeImage: { name: 'photo.jpg', bytes: new Uint8Array([255, 216, 255]) },
  selectionExport: { kind: 'files', path: '/out/selected', ids: new Int32Array([3, 5]) },
  selectionExportCancel: {},
  metadataImport: { path: '/data/photos/labels.csv' },
  exportFrames: { keyframes: new Float32Array([0, 0, 1, 1]), frames: 10, hold: 2, loops: 3, equalChange: true },
  exportVideo: { path: '/out/walk.mp4', bytes: new Uint8Array([0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]) },
  pathFromExport: { name: 'walk.mp4', bytes: new Uint8Array([0, 0, 0, 8]) },
} satisfies Record<CallName, Record<string, unknown>>;

/** A value of the wrong type for a field holding `v`. */
function wrongType(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as Float32Array); // a JSON number list instead of a typed array
  if (typeof v === 'string') return 42;
  if (typeof v === 'number') return 'seven';
  if (typeof v === 'boolean') return 'yes';
  if (v && typeof v === 'object') return 'not an object';
  return Symbol('x');
}

function refusal(name: CallName, args: unknown): string {
  try {
    parseCallInput(name, args);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('bad-arguments');
    return (err as Error).message;
  }
  throw new Error(`${name} accepted ${String(args)}`);
}

describe('the contract', () => {
  it('declares a schema for every call and event name, and nothing else', () => {
    expect(Object.keys(calls).sort()).toEqual([...CALL_NAMES].sort());
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort());
  });

  for (const name of CALL_NAMES) {
    describe(name, () => {
      const valid = VALID[name];
      it('accepts its valid arguments', () => {
        expect(() => parseCallInput(name, valid)).not.toThrow();
      });
      it('refuses extra fields', () => {
        const message = refusal(name, { ...valid, sneaky: true });
        expect(message).toContain(`${name}: invalid arguments`);
        expect(message).toContain('sneaky');
      });
      it('refuses arguments that are not an object', () => {
        for (const bad of [42, 'status', [], null, true]) expect(refusal(name, bad)).toContain(name);
      });
      for (const [field, value] of Object.entries(valid)) {
        it(`refuses a wrong type for "${field}"`, () => {
          expect(refusal(name, { ...valid, [field]: wrongType(value) })).toContain(field);
        });
      }
    });
  }

  it('refuses nested extra fields and wrong nested types', () => {
    expect(refusal('openDataset', { source: { kind: 'mnist', path: '/x' } })).toContain('path');
    expect(refusal('openDataset', { source: { kind: 'folder', path: '/x', size: 'big' } })).toContain('source.size');
    expect(refusal('openDataset', { source: { kind: 'imagenet' } })).toContain('source');
  });

  it('refuses paths that are relative, empty or hold a NUL byte', () => {
    expect(refusal('openDataset', { source: { kind: 'folder', path: 'images' } })).toContain('path must be absolute');
    expect(refusal('projectSave', { path: '' })).toContain('path is empty');
    expect(refusal('export', { ...VALID.export, path: '/tmp/a\0b.gif' })).toContain('NUL');
    expect(() => parseCallInput('openDataset', { source: { kind: 'folder', path: 'C:\\data\\images' } })).not.toThrow();
  });

  it('refuses out-of-range numbers', () => {
    expect(refusal('trainStart', { ...VALID.trainStart, latentDim: 1 })).toContain('latentDim');
    expect(refusal('trainStart', { ...VALID.trainStart, epochs: 0 })).toContain('epochs');
    expect(refusal('trainStart', { ...VALID.trainStart, epochs: 1.5 })).toContain('epochs');
    // A time budget: 1 s … 24 h (limits.ts); a fraction of a minute is fine.
    expect(parseCallInput('trainStart', { ...VALID.trainStart, timeBudgetSeconds: 3 }).timeBudgetSeconds).toBe(3);
    expect(parseCallInput('trainStart', { ...VALID.trainStart, timeBudgetSeconds: 86_400 }).timeBudgetSeconds).toBe(86_400);
    for (const bad of [0, 0.5, -1, 86_401, Number.POSITIVE_INFINITY, '180'])
      expect(refusal('trainStart', { ...VALID.trainStart, timeBudgetSeconds: bad })).toContain('timeBudgetSeconds');
    expect(refusal('nearest', { ...VALID.nearest, k: 0 })).toContain('k');
    expect(refusal('reconstruct', { index: -1 })).toContain('index');
  });

  it('takes typed arrays, never JSON number lists, for big arrays', () => {
    expect(refusal('decode', { z: [0, 0] })).toContain('expected a Float32Array');
    expect(refusal('decode', { z: new Float64Array(2) })).toContain('expected a Float32Array');
  });

  it('checks events strictly too', () => {
    expect(events.trainCheckpoint.safeParse({ runId: 'r', epoch: 1, dir: '/d', generation: 2 }).success).toBe(true);
    expect(events.trainCheckpoint.safeParse({ runId: 'r', epoch: 1, dir: '/d', generation: 2, extra: 1 }).success).toBe(false);
    // Stamped with the generation it belongs to, or refused.
    expect(events.trainCheckpoint.safeParse({ runId: 'r', epoch: 1, dir: '/d' }).success).toBe(false);
    expect(events.engine.safeParse({ state: 'exploded', message: null, restarts: 0, restarted: false }).success).toBe(false);
  });
});

describe('dispatch', () => {
  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => ({})])) as unknown as Handlers;

  it('refuses unknown calls', async () => {
    const r = await dispatch(handlers, 'deleteEverything', {});
    expect(r).toEqual({ ok: false, error: { code: 'unknown-call', message: 'unknown call "deleteEverything"' } });
  });

  it('refuses bad arguments before the handler runs', async () => {
    let ran = false;
    const r = await dispatch({ ...handlers, reconstruct: async () => ((ran = true), {}) } as unknown as Handlers, 'reconstruct', { index: 'three' });
    expect(ran).toBe(false);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad-arguments');
      expect(r.error.message).toMatch(/^reconstruct: invalid arguments: index: /);
    }
  });

  it('refuses results outside the contract (a bug, not the caller’s fault)', async () => {
    const r = await dispatch(handlers, 'trainCancel', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('internal');
  });

  it('passes on the handler’s error code and message', async () => {
    const failing = { ...handlers, trainCancel: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'busy' })) } as unknown as Handlers;
    expect(await dispatch(failing, 'trainCancel', {})).toEqual({ ok: false, error: { code: 'busy', message: 'nope' } });
  });
});
