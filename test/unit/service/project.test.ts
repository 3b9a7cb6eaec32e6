/**
 * Projects at the service level (the engine is the in-process fake; path files and file exports are in
 * project-path-files.test.ts): a save → close → open round trip gives the same weights hash, keyframes and camera; corrupt
 * project and path files are refused with a message; a failed save overwrites nothing; a project
 * whose image folder moved asks for it and remembers its new place.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectSummary } from '../../../src/shared/contract';
import { PATH, VIEW, startService, call, refusal, trainModel, registerProjectModel, type Harness } from './project-harness';

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

  it('copies the model without the hidden stage of a write in progress (the engine caching its points meanwhile)', async () => {
    const { dir, hash } = await trainModel(h);
    // What writeFileAtomic leaves while it writes points.bin; renamed away mid-copy, it failed the save.
    writeFileSync(join(dir, `.points.bin.tmp-${process.pid}-0a1b2c3d`), 'half a file');
    const project = join(root, 'p-stage');
    await call(h.service, 'projectSave', { path: project, view: VIEW });
    const copied = readdirSync(join(project, `model-${hash.slice(0, 16)}`));
    expect(copied).toContain('weights.bin');
    expect(copied.filter((name) => name.startsWith('.'))).toEqual([]);
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
