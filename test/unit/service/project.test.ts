/**
 * Projects, path files and file exports at the service level (the engine is the in-process fake):
 * a save → close → open round trip gives the same weights hash, keyframes and camera; corrupt
 * project and path files are refused with a message; a failed save overwrites nothing; a project
 * whose image folder moved asks for it and remembers its new place.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { AppService } from '../../../src/service/service';
import type { EventName, PathDoc, ProjectSummary, ProjectView } from '../../../src/shared/contract';
import { FakeEngine } from './fake-engine';

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const PATH: PathDoc = {
  latentDim: 2,
  keyframes: new Float32Array([0.25, -1.5, 1, 2, -0.125, 0.5]),
  sources: [{ index: 3, label: '1' }, null, { index: 4 }],
  segments: ['linear', 'spherical'],
  frames: 48,
  easing: 'ease-in-out',
  loop: 'ping-pong',
  spacing: 'equal',
  fps: 24,
};
const VIEW: ProjectView = { camera: { position: [1.5, -2, 7.25], target: [0.1, 0.2, -0.3], up: [0, 1, 0] }, paths: [PATH], activePath: 0 };

interface Harness {
  service: AppService;
  engines: FakeEngine[];
  seen: [EventName, unknown][];
}

async function startService(dataDir: string, allowed: string[]): Promise<Harness> {
  const engines: FakeEngine[] = [];
  const seen: [EventName, unknown][] = [];
  const service = new AppService({
    dataDir,
    allowedRoots: allowed,
    spawnEngine: () => {
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
  });
  service.on((name, data) => seen.push([name, data]));
  await service.start();
  return { service, engines, seen };
}

async function call<T>(service: AppService, name: Parameters<typeof dispatch>[1], args: unknown): Promise<T> {
  const r = await dispatch(service.handlers, name, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

async function refusal(service: AppService, name: Parameters<typeof dispatch>[1], args: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(service.handlers, name, args);
  if (r.ok) throw new Error(`${String(name)} succeeded`);
  return r.error;
}

/** A trained model: the fake trains one epoch; the run folder gets weights to hash. */
async function trainModel(h: Harness): Promise<{ dir: string; hash: string }> {
  await call(h.service, 'openDataset', { source: { kind: 'mnist' } });
  await h.service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1 });
  const engine = h.engines.at(-1)!;
  await until(() => engine.trainRequest !== null, 'train request');
  const dir = String((engine.trainRequest!.args as { dir: string }).dir);
  engine.checkpoint(1);
  const weights = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7) % 256));
  writeFileSync(join(dir, 'weights.bin'), weights);
  engine.finishTraining(1);
  await until(() => h.service.status().embeddingsReady, 'embeddings');
  return { dir, hash: createHash('sha256').update(weights).digest('hex') };
}

/** The fake engine loads a model folder only once told it holds a checkpoint. */
function registerProjectModel(project: string): string {
  const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as { model: string };
  FakeEngine.checkpoints.set(join(project, file.model), 1);
  return join(project, file.model);
}

describe('projects', () => {
  let dataDir: string;
  let root: string;
  let h: Harness;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-proj-data-'));
    root = mkdtempSync(join(tmpdir(), 'ls-proj-root-'));
    h = await startService(dataDir, [root]);
  });
  afterEach(async () => {
    await h.service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('save, close, open: the same weights hash, keyframes, camera and points', async () => {
    const { hash } = await trainModel(h);
    const project = join(root, 'p1');
    await call(h.service, 'projectSave', { path: project, view: VIEW });
    expect(h.service.status().project).toEqual({ path: project });
    const names = readdirSync(project).sort();
    expect(names).toEqual([`embeddings-${names[0].slice(11, 27)}.bin`, `model-${hash.slice(0, 16)}`, 'project.json']);
    registerProjectModel(project);
    await h.service.stop();

    // A new app: nothing open, then the project.
    const h2 = await startService(dataDir, [root]);
    try {
      expect(h2.service.status().model).toBeNull();
      const recent = await call<{ projects: { path: string; exists: boolean }[] }>(h2.service, 'recentProjects', {});
      expect(recent.projects).toEqual([expect.objectContaining({ path: project, name: 'p1', exists: true })]);

      const opened = await call<ProjectSummary>(h2.service, 'projectOpen', { path: project });
      expect(opened.weightsHash).toBe(hash);
      expect(opened.missingFolder).toBeNull();
      expect(opened.dataset?.name).toBe('MNIST');
      expect(opened.model?.dir).toBe(join(project, `model-${hash.slice(0, 16)}`));
      expect(opened.view?.camera).toEqual(VIEW.camera);
      expect(opened.view?.activePath).toBe(0);
      const path = opened.view!.paths[0];
      expect(path.keyframes).toBeInstanceOf(Float32Array);
      expect(Array.from(path.keyframes)).toEqual(Array.from(PATH.keyframes));
      expect({ ...path, keyframes: null }).toEqual({ ...PATH, keyframes: null });
      // The renderer learns it through the event too (a menu may have opened it).
      expect(h2.seen.find(([n]) => n === 'projectOpened')?.[1]).toMatchObject({ path: project, weightsHash: hash });
      // The points come from the project, not from a new embedding.
      expect(h2.service.status().embeddingsReady).toBe(true);
      expect(h2.engines[0].received.map((m) => m.op)).not.toContain('embed');
      const e = await call<{ count: number; ids: Int32Array }>(h2.service, 'embeddings', {});
      expect(e.count).toBe(6);
      expect(Array.from(e.ids)).toEqual([0, 1, 2, 3, 4, 5]);

      // Saving again in place keeps the same files (nothing copied twice).
      const before = readdirSync(project).sort();
      await call(h2.service, 'projectSave', { path: project });
      expect(readdirSync(project).sort()).toEqual(before);
    } finally {
      await h2.service.stop();
    }
  });

  it('keeps the colouring and the keyframes not yet kept as a path (issue 25, item 9)', async () => {
    await trainModel(h);
    const project = join(root, 'draft');
    const draft = {
      latentDim: 2,
      keyframes: new Float32Array([0.1, -0.2, 3.5, 0.25]),
      sources: [{ index: 7, label: '3' }, null],
      segments: ['spherical' as const],
    };
    await call(h.service, 'projectSave', { path: project, view: { ...VIEW, colorMode: 'recon', draft } });
    const saved = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).view;
    expect(saved.colorMode).toBe('recon');
    expect(saved.draft).toEqual({ ...draft, keyframes: Array.from(draft.keyframes) });
    registerProjectModel(project);
    const opened = await call<ProjectSummary>(h.service, 'projectOpen', { path: project });
    expect(opened.view?.colorMode).toBe('recon');
    expect(opened.view?.draft?.keyframes).toBeInstanceOf(Float32Array);
    expect({ ...opened.view?.draft, keyframes: Array.from(opened.view!.draft!.keyframes) }).toEqual({ ...draft, keyframes: Array.from(draft.keyframes) });
    // A draft whose numbers do not match its keyframes is refused at the seam.
    const bad = await refusal(h.service, 'projectUpdate', { view: { ...VIEW, draft: { ...draft, sources: [null] } }, autosave: false });
    expect(bad.message).toContain('draft');
  });

  it('autosave writes the view into the open project; without it the view is only remembered', async () => {
    await trainModel(h);
    const project = join(root, 'auto');
    await call(h.service, 'projectSave', { path: project });
    const read = (): { view: { camera: unknown; paths: unknown[] } | null } => JSON.parse(readFileSync(join(project, 'project.json'), 'utf8'));
    expect(read().view).toBeNull();
    expect(await call(h.service, 'projectUpdate', { view: VIEW, autosave: false })).toEqual({ saved: false, path: project });
    expect(read().view).toBeNull();
    expect(await call(h.service, 'projectUpdate', { view: VIEW, autosave: true })).toEqual({ saved: true, path: project });
    expect(read().view?.camera).toEqual(VIEW.camera);
    expect(read().view?.paths).toHaveLength(1);
    // Overlapping autosaves are written one after another and leave no temp files.
    const moved = { ...VIEW, camera: { position: [9, 9, 9] as [number, number, number], target: [0, 0, 0] as [number, number, number] } };
    await Promise.all([1, 2, 3].map(() => call(h.service, 'projectUpdate', { view: moved, autosave: true })));
    expect(read().view?.camera).toEqual(moved.camera);
    expect(readdirSync(project).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('keeps a copy of the imported metadata file with its colouring and filters, and refuses a file the user did not choose', async () => {
    await trainModel(h);
    const csv = join(root, 'digits.csv');
    writeFileSync(csv, 'image,parity\n0,even\n1,odd\n');
    const metadata = { path: csv, colorColumn: 'parity', filters: { parity: { kind: 'values' as const, codes: [0] } } };
    const project = join(root, 'with-metadata');
    await call(h.service, 'projectSave', { path: project, view: { ...VIEW, metadata } });
    const copy = readdirSync(project).find((n) => /^metadata-[0-9a-f]{16}\.csv$/.test(n));
    expect(copy).toBeDefined();
    expect(readFileSync(join(project, copy!), 'utf8')).toBe(readFileSync(csv, 'utf8'));
    registerProjectModel(project);
    rmSync(csv); // the original goes: the project still has its copy

    const opened = await call<ProjectSummary>(h.service, 'projectOpen', { path: project });
    expect(opened.view?.metadata).toEqual({ ...metadata, path: join(project, copy!) });
    const imported = await call<{ matchedRows: number }>(h.service, 'metadataImport', { path: opened.view!.metadata!.path });
    expect(imported.matchedRows).toBe(2);
    // Saved again without metadata, the copy goes with the next save.
    await call(h.service, 'projectSave', { path: project, view: VIEW });
    expect(readdirSync(project).some((n) => n.startsWith('metadata-'))).toBe(false);

    const outside = mkdtempSync(join(tmpdir(), 'ls-not-chosen-'));
    try {
      writeFileSync(join(outside, 'secret.csv'), 'image,x\n0,1\n');
      const refused = await refusal(h.service, 'projectUpdate', {
        view: { ...VIEW, metadata: { ...metadata, path: join(outside, 'secret.csv') } },
        autosave: true,
      });
      expect(refused.message).toMatch(/metadata file/);
      expect(readdirSync(project).some((n) => n.startsWith('metadata-'))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses corrupt or foreign project files with a message and changes nothing', async () => {
    await trainModel(h);
    const good = join(root, 'good');
    await call(h.service, 'projectSave', { path: good, view: VIEW });
    const modelBefore = h.service.status().model?.dir;
    const text = readFileSync(join(good, 'project.json'), 'utf8');
    const file = JSON.parse(text);
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['not JSON', (d) => writeFileSync(join(d, 'project.json'), text.slice(0, 40)), /project.json in .* is not valid JSON/],
      ['another format', (d) => writeFileSync(join(d, 'project.json'), JSON.stringify({ format: 'something-else' })), /not a Latentscape project file/],
      ['a newer version', (d) => writeFileSync(join(d, 'project.json'), JSON.stringify({ ...file, version: 99 })), /saved by a newer Latentscape/],
      [
        'a wrong field',
        (d) => writeFileSync(join(d, 'project.json'), JSON.stringify({ ...file, dataset: { kind: 'folder', path: 'relative' } })),
        /is invalid: dataset/,
      ],
      ['a model outside the project', (d) => writeFileSync(join(d, 'project.json'), JSON.stringify({ ...file, model: '../elsewhere' })), /is invalid: model/],
      [
        'a bad path',
        (d) => writeFileSync(join(d, 'project.json'), JSON.stringify({ ...file, view: { ...file.view, paths: [{ ...file.view.paths[0], frames: 1 }] } })),
        /holds a bad path: path 1 is invalid: frames/,
      ],
      ['a missing model folder', (d) => rmSync(join(d, file.model), { recursive: true }), /names the model folder .* but it is missing/],
      ['changed weights', (d) => writeFileSync(join(d, file.model, 'weights.bin'), 'tampered'), /does not match its project.json/],
      ['no project.json', (d) => rmSync(join(d, 'project.json')), /is not a Latentscape project: project.json is missing/],
    ];
    for (const [what, damage, message] of cases) {
      const dir = join(root, what.replace(/\W+/g, '-'));
      mkdirSync(dir);
      for (const name of readdirSync(good)) {
        if (name === 'project.json') writeFileSync(join(dir, name), text);
        else renameSync(join(good, name), join(dir, name));
      }
      damage(dir);
      const error = await refusal(h.service, 'projectOpen', { path: dir });
      expect(error.message, what).toMatch(message);
      expect(['project', 'bad-arguments'], what).toContain(error.code);
      expect(h.service.status().model?.dir, what).toBe(modelBefore);
      // Put the files back for the next case.
      for (const name of readdirSync(dir)) if (name !== 'project.json' && existsSync(join(dir, name))) renameSync(join(dir, name), join(good, name));
      if (!existsSync(join(good, file.model))) {
        // the "missing model folder" case deleted it: save again to restore it
        await call(h.service, 'projectSave', { path: good, view: VIEW });
      }
    }
  });

  it('a failed save overwrites nothing, and a folder that is not a project is refused', async () => {
    const { dir: runDir } = await trainModel(h);
    const project = join(root, 'safe');
    await call(h.service, 'projectSave', { path: project, view: VIEW });
    const snapshot = (): Record<string, string> =>
      Object.fromEntries(
        readdirSync(project, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => [
            join(e.parentPath, e.name),
            createHash('sha256')
              .update(readFileSync(join(e.parentPath, e.name)))
              .digest('hex'),
          ]),
      );
    const before = snapshot();

    // The model's folder vanishes before the save: copying it fails.
    const hidden = `${runDir}-hidden`;
    renameSync(runDir, hidden);
    const error = await refusal(h.service, 'projectSave', { path: project, view: { ...VIEW, paths: [] } });
    expect(error.message).toMatch(/ENOENT|no such file/);
    expect(snapshot()).toEqual(before);
    expect(readdirSync(project).filter((n) => n.startsWith('.'))).toEqual([]);
    renameSync(hidden, runDir);

    // A folder with other files is not taken over.
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'thesis.txt'), 'mine');
    expect((await refusal(h.service, 'projectSave', { path: busy })).message).toMatch(/neither empty nor a Latentscape project/);
    expect(readdirSync(busy)).toEqual(['thesis.txt']);
  });

  it('a project whose image folder moved asks where it went and remembers the new place', async () => {
    await trainModel(h);
    const images = join(root, 'images');
    mkdirSync(images);
    await call(h.service, 'openDataset', { source: { kind: 'folder', path: images, size: 28 } });
    const project = join(root, 'moving');
    await call(h.service, 'projectSave', { path: project, view: VIEW });
    registerProjectModel(project);
    await h.service.stop();

    const moved = join(root, 'images-moved');
    renameSync(images, moved);
    const h2 = await startService(dataDir, [root]);
    try {
      const opened = await call<ProjectSummary>(h2.service, 'projectOpen', { path: project });
      expect(opened.missingFolder).toBe(images);
      expect(opened.dataset).toBeNull();
      expect(opened.model).not.toBeNull();
      expect(opened.view?.paths).toHaveLength(1);
      expect(h2.seen.find(([n]) => n === 'projectMissingFolder')?.[1]).toEqual({ project, folder: images });
      // Saving meanwhile keeps the old place (the dataset is not forgotten).
      await call(h2.service, 'projectSave', { path: project });
      expect(JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')).dataset).toEqual({ kind: 'folder', path: images, size: 28, background: 'white' });

      const dataset = await call<{ name: string }>(h2.service, 'projectRelocate', { folder: moved });
      expect(dataset.name).toBe('MNIST'); // the fake engine's summary
      const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8'));
      expect(file.dataset).toEqual({ kind: 'folder', path: moved, size: 28, background: 'white' });
      const open = h2.engines[0].received.filter((m) => m.op === 'openDataset').at(-1);
      expect(open?.args).toEqual({ kind: 'folder', path: moved, size: 28, background: 'white' });
      expect((await refusal(h2.service, 'projectRelocate', { folder: moved })).code).toBe('no-missing-folder');
    } finally {
      await h2.service.stop();
    }
  });
});

describe('the image-folder background of a project', () => {
  it('is saved with the folder; a project saved before the setting opens its folder on black, as it was then', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ls-proj-data-'));
    const root = mkdtempSync(join(tmpdir(), 'ls-proj-root-'));
    const h = await startService(dataDir, [root]);
    try {
      const images = join(root, 'images');
      mkdirSync(images);
      await call(h.service, 'openDataset', { source: { kind: 'folder', path: images, background: '#336699' } });
      const project = join(root, 'colours');
      await call(h.service, 'projectSave', { path: project });
      const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8'));
      expect(file.dataset).toEqual({ kind: 'folder', path: images, background: '#336699' });

      const opened = async (): Promise<unknown> => {
        await call(h.service, 'openDataset', { source: { kind: 'mnist' } });
        await call(h.service, 'projectOpen', { path: project });
        return h.engines
          .at(-1)!
          .received.filter((m) => m.op === 'openDataset')
          .at(-1)?.args;
      };
      expect(await opened()).toEqual({ kind: 'folder', path: images, background: '#336699' });
      delete file.dataset.background;
      writeFileSync(join(project, 'project.json'), JSON.stringify(file));
      expect(await opened()).toEqual({ kind: 'folder', path: images, background: 'black' });
    } finally {
      await h.service.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });
});

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
