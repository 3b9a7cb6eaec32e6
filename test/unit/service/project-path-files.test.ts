/** Path files and the file exports (points CSV, PNG frames) through the service, with a fake engine. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PathDoc } from '../../../src/shared/contract';
import { dispatch } from '../../../src/service/dispatch';
import { until, PATH, startService, call, refusal, trainModel, type Harness } from './project-harness';

describe('path files and file exports', () => {
  let dataDir: string;
  let root: string;
  let h: Harness;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-files-data-'));
    root = mkdtempSync(join(tmpdir(), 'ls-files-root-'));
    h = await startService(dataDir, [root]);
  });
  afterEach(async () => {
    await h.service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('saves a path as the JSON the CLI reads and opens it again exactly', async () => {
    await trainModel(h);
    const file = join(root, 'walk.json');
    await call(h.service, 'pathSave', { path: file, doc: PATH });
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toMatchObject({ format: 'latentscape-path', version: 1, latentDim: 2, segments: ['linear', 'spherical'], frames: 48, loop: 'ping-pong' });
    const back = await call<PathDoc>(h.service, 'pathOpen', { path: file });
    expect(Array.from(back.keyframes)).toEqual(Array.from(PATH.keyframes));
    expect({ ...back, keyframes: null }).toEqual({ ...PATH, keyframes: null });
  });

  it('refuses corrupt, foreign and mismatched path files with a message', async () => {
    await trainModel(h);
    const good = JSON.parse(
      JSON.stringify({ format: 'latentscape-path', version: 1, latentDim: 2, keyframes: [{ z: [0, 0] }, { z: [1, 1] }], segments: ['linear'], frames: 10 }),
    );
    const cases: [string, string, RegExp][] = [
      ['empty.json', '', /is empty/],
      ['broken.json', '{"format": "latentscape-path", ', /is not valid JSON/],
      ['foreign.json', JSON.stringify({ format: 'something' }), /is not a Latentscape path/],
      ['short.json', JSON.stringify({ ...good, keyframes: [{ z: [0, 0] }] }), /a path needs at least 2 keyframes/],
      ['ragged.json', JSON.stringify({ ...good, keyframes: [{ z: [0, 0] }, { z: [1] }] }), /keyframes\[1\]\.z has 1 values but latentDim is 2/],
      [
        'other-model.json',
        JSON.stringify({ ...good, latentDim: 3, keyframes: [{ z: [0, 0, 0] }, { z: [1, 1, 1] }] }),
        /latent size 3 but the model's latent size is 2/,
      ],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(root, name), text);
      const error = await refusal(h.service, 'pathOpen', { path: join(root, name) });
      expect(error.code, name).toBe('bad-file');
      expect(error.message, name).toMatch(message);
    }
    expect((await refusal(h.service, 'pathOpen', { path: join(root, 'nope.json') })).message).toMatch(/no such file/);
    // A path of the wrong size is not saved either.
    const bad = await refusal(h.service, 'pathSave', {
      path: join(root, 'x.json'),
      doc: { ...PATH, latentDim: 3, keyframes: new Float32Array(6), sources: [], segments: ['linear'] },
    });
    expect(bad.message).toMatch(/latent size 3 but the model's is 2/);
    expect(existsSync(join(root, 'x.json'))).toBe(false);
  });

  it('writes the points as CSV: id, label, z…, view x y z', async () => {
    await trainModel(h);
    const file = join(root, 'points.csv');
    expect(await call(h.service, 'exportPoints', { path: file })).toMatchObject({ path: file, rows: 6 });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,label,z0,z1,x,y,z');
    expect(lines).toHaveLength(7);
    expect(lines[2]).toBe('1,1,0.00000,0.00000,0.00000,0.00000,0.00000');
  });

  it('keeps the trailing slash that asks for a folder of PNG frames, and refuses paths outside the chosen folders', async () => {
    await trainModel(h);
    void dispatch(h.service.handlers, 'export', { path: `${root}/frames/`, keyframes: new Float32Array(4), frames: 4 });
    const engine = h.engines[0];
    await until(() => engine.received.some((m) => m.op === 'export'), 'export request');
    expect((engine.received.find((m) => m.op === 'export')!.args as { path: string }).path).toBe(`${root}/frames/`);
    for (const [name, args] of [
      ['exportImage', { path: '/etc/x.png', z: new Float32Array(2) }],
      ['exportPoints', { path: '/etc/points.csv' }],
      ['pathSave', { path: '/etc/p.json', doc: PATH }],
      ['pathOpen', { path: '/etc/passwd' }],
      ['projectRelocate', { folder: '/etc' }],
    ] as const) {
      const error = await refusal(h.service, name, args);
      expect(['path-not-allowed', 'no-missing-folder'], name).toContain(error.code);
    }
  });
});
