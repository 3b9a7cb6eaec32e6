/**
 * Projects and path files are things people share. One rule for places: a folder becomes allowed only
 * by the user's choice (dialog, drop, --allow), never by what a file says, and a grant made for a
 * project from the recent list is taken back when it fails to open. Files are read only when they are
 * regular files, and refusals never echo what the refused file holds. (Engine: the in-process fake.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PathDoc, ProjectSummary } from '../../../src/shared/contract';
import { call, refusal, registerProjectModel, startService, trainModel, type Harness } from './project-harness';

/** Settles within `ms`, or fails saying it hung. */
async function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('hung')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return process.platform !== 'win32';
  } catch {
    return false;
  }
})();

const PATH: PathDoc = {
  latentDim: 2,
  keyframes: new Float32Array([0, 0, 1, 1]),
  sources: [],
  segments: ['linear'],
  frames: 8,
  easing: 'linear',
  loop: 'none',
  spacing: 'equal',
};

/** Trains with the fake engine, then saves a project at `project` with `dataset` as its image folder. */
async function savedProject(h: Harness, project: string, dataset: string): Promise<void> {
  await trainModel(h, { kind: 'folder', path: dataset, size: 28 });
  // One test keeps the project inside its image folder: the user confirmed that ('inside-dataset').
  await call(h.service, 'projectSave', { path: project, insideDataset: true });
  registerProjectModel(project);
}

let dataDir: string;
let root: string;
let outside: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ls-hostile-data-'));
  root = mkdtempSync(join(tmpdir(), 'ls-hostile-root-'));
  outside = mkdtempSync(join(tmpdir(), 'ls-hostile-outside-'));
});
afterEach(() => {
  for (const d of [dataDir, root, outside]) rmSync(d, { recursive: true, force: true });
});

describe('projectOpen and the allowed folders', () => {
  it('does not allow the image folder a project.json names: it asks for it, and pathSave there stays refused', async () => {
    const h = await startService(dataDir, [root]);
    try {
      const images = join(root, 'images');
      mkdirSync(images);
      const project = join(root, 'shared');
      await savedProject(h, project, images);
      // Someone edits the shared project to point at a folder the user never chose.
      const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8'));
      writeFileSync(join(project, 'project.json'), JSON.stringify({ ...file, dataset: { kind: 'folder', path: outside, size: 28 } }));

      const opened = await call<ProjectSummary>(h.service, 'projectOpen', { path: project });
      expect(opened.missingFolder).toBe(outside);
      expect(opened.dataset).toBeNull();
      expect(h.service.status().allowedRoots.some((r) => r.startsWith(outside))).toBe(false);
      const error = await refusal(h.service, 'pathSave', { path: join(outside, 'planted.json'), doc: PATH });
      expect(error.code).toBe('path-not-allowed');
      expect(existsSync(join(outside, 'planted.json'))).toBe(false);
      // Relocating to it is the user's choice, and it is still checked against the allowed folders.
      expect((await refusal(h.service, 'projectRelocate', { folder: outside })).code).toBe('path-not-allowed');
    } finally {
      await h.service.stop();
    }
  });

  it('a project from the recent list that fails to open leaves no grant behind; one that opens is allowed', async () => {
    const first = await startService(dataDir, [root, outside]);
    const project = join(outside, 'old-project');
    try {
      await savedProject(first, project, outside);
    } finally {
      await first.service.stop();
    }
    const text = readFileSync(join(project, 'project.json'), 'utf8');
    // A new session where only `root` is allowed: the project is known from the recent list.
    const h = await startService(dataDir, [root]);
    try {
      const before = h.service.status().allowedRoots;
      writeFileSync(join(project, 'project.json'), text.slice(0, 30));
      expect((await refusal(h.service, 'projectOpen', { path: project })).code).toBe('project');
      expect(h.service.status().allowedRoots).toEqual(before);
      expect((await refusal(h.service, 'pathSave', { path: join(project, 'x.json'), doc: PATH })).code).toBe('path-not-allowed');

      writeFileSync(join(project, 'project.json'), text);
      const opened = await call<ProjectSummary>(h.service, 'projectOpen', { path: project });
      expect(opened.path).toBe(project);
      expect(h.service.status().allowedRoots).toHaveLength(before.length + 1);
      // The project folder, not the image folder its file names (here its parent).
      expect(opened.missingFolder).toBe(outside);
    } finally {
      await h.service.stop();
    }
  });

  it('refuses a project whose model folder is a link to somewhere else', async () => {
    const h = await startService(dataDir, [root]);
    try {
      const images = join(root, 'images');
      mkdirSync(images);
      const project = join(root, 'linked');
      await savedProject(h, project, images);
      const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as { model: string };
      rmSync(join(project, file.model), { recursive: true });
      mkdirSync(join(outside, 'model'));
      writeFileSync(join(outside, 'model', 'manifest.json'), '{}');
      symlinkSync(join(outside, 'model'), join(project, file.model));
      expect((await refusal(h.service, 'projectOpen', { path: project })).message).toMatch(/not a folder/);
    } finally {
      await h.service.stop();
    }
  });

  it.skipIf(!hasMkfifo)('named pipes as project.json, weights or saved points do not hang the app (needs mkfifo)', async () => {
    const h = await startService(dataDir, [root]);
    try {
      const images = join(root, 'images');
      mkdirSync(images);
      const project = join(root, 'piped');
      await savedProject(h, project, images);
      const file = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as { model: string; embeddings: { file: string } };
      // Saved points as a pipe: the project opens and the points are computed again.
      rmSync(join(project, file.embeddings.file));
      execFileSync('mkfifo', [join(project, file.embeddings.file)]);
      await expect(within(call(h.service, 'projectOpen', { path: project }))).resolves.toMatchObject({ path: project });
      // The model's manifest as a pipe: the weights hash falls back, the pipe is never opened for reading.
      rmSync(join(project, file.model, 'manifest.json'));
      execFileSync('mkfifo', [join(project, file.model, 'manifest.json')]);
      await within(refusal(h.service, 'projectOpen', { path: project }).catch(() => null));
      // project.json as a pipe.
      rmSync(join(project, 'project.json'));
      execFileSync('mkfifo', [join(project, 'project.json')]);
      expect((await within(refusal(h.service, 'projectOpen', { path: project }))).message).toMatch(/not a regular file/);
    } finally {
      await h.service.stop();
    }
  });
});

describe('pathOpen', () => {
  it('never echoes the content of a file it refuses', async () => {
    const h = await startService(dataDir, [root]);
    try {
      const cases: [string, string][] = [
        ['passwd', 'root:x:0:0:SECRET-LINE:/root:/bin/bash\n'],
        ['almost.json', '{"format": "latentscape-path", "SECRET-LINE": '],
        ['foreign.json', JSON.stringify({ format: 'SECRET-LINE' })],
      ];
      for (const [name, text] of cases) {
        writeFileSync(join(root, name), text);
        const error = await refusal(h.service, 'pathOpen', { path: join(root, name) });
        expect(error.code, name).toBe('bad-file');
        expect(error.message, name).not.toMatch(/SECRET|root:x/);
      }
    } finally {
      await h.service.stop();
    }
  });

  it.skipIf(!hasMkfifo)('refuses a named pipe at once instead of hanging (needs mkfifo)', async () => {
    const h = await startService(dataDir, [root]);
    try {
      execFileSync('mkfifo', [join(root, 'pipe.json')]);
      const error = await within(refusal(h.service, 'pathOpen', { path: join(root, 'pipe.json') }));
      expect(error.message).toMatch(/not a regular file/);
    } finally {
      await h.service.stop();
    }
  });
});
