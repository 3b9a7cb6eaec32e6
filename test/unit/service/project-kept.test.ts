/**
 * The custom axis and the dropped images kept in a project (issue 27): saved into project.json and read
 * back as they were; a project saved before them opens without them; a project.json whose kept fields are
 * hostile (wrong lengths, too many, not base64) is refused with a message saying what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProject, saveProject } from '../../../src/service/project-folder';
import { MAX_KEPT_DROPPED, calls, type KeptDropped, type ProjectView } from '../../../src/shared/contract';

const image = (fill: number, side = 4) => ({ count: 1, height: side, width: side, channels: 1 as const, pixels: new Uint8Array(side * side).fill(fill) });

function dropped(name: string, shift = 0): KeptDropped {
  return {
    name,
    mu: Float32Array.of(0.5 + shift, -1.25, 2),
    sigma: Float32Array.of(0.1, 0.2, 0.3),
    input: image(200),
    reconstruction: image(17),
    reconNats: 81.5,
    rmse: 12.25,
    nearest: { ids: Int32Array.of(4, 9, 1), distances: Float32Array.of(0.1, 0.2, 0.4) },
  };
}

const AXIS = {
  what: 'local PC1',
  latentDim: 3,
  mean: [0.1, 0.2, 0.3],
  axes: [
    [0.6, 0.8, 0],
    [-0.8, 0.6, 0],
    [0, 0, 1],
  ],
  explained: [0.5, 0.3, 0.2],
};

const VIEW: ProjectView = { camera: null, paths: [], activePath: null, customAxis: AXIS, dropped: [dropped('cat.png'), dropped('dog.jpg', 1)] };

const plain = (d: KeptDropped) => ({
  ...d,
  mu: Array.from(d.mu),
  sigma: Array.from(d.sigma),
  input: { ...d.input, pixels: Array.from(d.input.pixels) },
  reconstruction: { ...d.reconstruction, pixels: Array.from(d.reconstruction.pixels) },
  nearest: { ids: Array.from(d.nearest.ids), distances: Array.from(d.nearest.distances) },
});

const nothing = { dataset: null, datasetName: null, datasetFingerprint: null, modelDir: null, embeddings: null };

describe('a project keeps the custom axis and the dropped images', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ls-kept-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('saves them and reads them back as they were', async () => {
    const dir = join(root, 'p');
    await saveProject(dir, { ...nothing, view: VIEW });
    const file = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8'));
    expect(file.view.customAxis).toEqual(AXIS);
    expect(file.view.dropped[0].input.pixels).toBe(Buffer.from(new Uint8Array(16).fill(200)).toString('base64'));
    const { view } = await readProject(dir);
    expect(view?.customAxis).toEqual(AXIS);
    expect(view?.dropped?.[0].mu).toBeInstanceOf(Float32Array);
    expect(view?.dropped?.map(plain)).toEqual(VIEW.dropped!.map(plain));
  });

  it('a project saved before them opens without them', async () => {
    const dir = join(root, 'old');
    await saveProject(dir, { ...nothing, view: { camera: null, paths: [], activePath: null } });
    const file = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8'));
    expect(Object.keys(file.view)).toEqual(['camera', 'paths', 'activePath']);
    const { view } = await readProject(dir);
    expect(view).toEqual({ camera: null, paths: [], activePath: null });
  });

  it('refuses hostile kept fields in project.json with a clear message', async () => {
    const dir = join(root, 'hostile');
    await saveProject(dir, { ...nothing, view: VIEW });
    const text = readFileSync(join(dir, 'project.json'), 'utf8');
    const good = JSON.parse(text);
    const first = good.view.dropped[0];
    const cases: [string, object, RegExp][] = [
      [
        'too many dropped images',
        { dropped: Array.from({ length: MAX_KEPT_DROPPED + 1 }, () => first) },
        /view\.dropped: a project keeps at most 24 dropped images/,
      ],
      ['σ of another length', { dropped: [{ ...first, sigma: [1] }] }, /dropped image "cat.png": σ has 1 numbers, μ 3/],
      ['pixels that do not fill the image', { dropped: [{ ...first, input: { ...first.input, height: 5 } }] }, /its input image has 16 bytes for 4×5×1/],
      [
        'an image too large to keep',
        { dropped: [{ ...first, input: { ...first.input, height: 512, width: 512 } }] },
        /a kept image may have at most 65536 bytes/,
      ],
      ['pixels that are not base64', { dropped: [{ ...first, input: { ...first.input, pixels: '<script>' } }] }, /pixels must be base64/],
      [
        'an axis of the wrong length',
        { customAxis: { ...AXIS, axes: [[1, 0], AXIS.axes[1], AXIS.axes[2]] } },
        /custom axis: the mean and each of the 3 axes need latentDim numbers/,
      ],
      ['an unknown field', { customAxis: { ...AXIS, script: 'x' } }, /is invalid: view\.customAxis/],
    ];
    for (const [what, change, message] of cases) {
      writeFileSync(join(dir, 'project.json'), JSON.stringify({ ...good, view: { ...good.view, ...change } }));
      await expect(readProject(dir), what).rejects.toThrow(message);
    }
  });

  it('the seam refuses a view with kept fields that disagree', () => {
    const parse = (view: object) => calls.projectUpdate.input.safeParse({ view: { camera: null, paths: [], activePath: null, ...view }, autosave: false });
    expect(parse({ customAxis: AXIS, dropped: VIEW.dropped }).success).toBe(true);
    expect(parse({ dropped: [{ ...dropped('a'), nearest: { ids: Int32Array.of(1), distances: new Float32Array(0) } }] }).success).toBe(false);
    expect(parse({ dropped: [dropped('a'), { ...dropped('b'), mu: Float32Array.of(1, 2), sigma: Float32Array.of(1, 2) }] }).success).toBe(false);
    expect(parse({ dropped: Array.from({ length: MAX_KEPT_DROPPED + 1 }, () => dropped('a')) }).success).toBe(false);
  });
});
