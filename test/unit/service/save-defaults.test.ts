/**
 * Issue 25, item 2: saves default to the app's exports folder, never the dataset's, and a save inside
 * the open dataset's folder is refused with 'inside-dataset' until the user confirms it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { AppService } from '../../../src/service/service';
import type { PathDoc } from '../../../src/shared/contract';
import { FakeEngine } from './fake-engine';

const PATH: PathDoc = {
  latentDim: 2,
  keyframes: new Float32Array([0, 0, 1, 1]),
  sources: [null, null],
  segments: ['linear'],
  frames: 10,
  easing: 'linear',
  loop: 'none',
  spacing: 'length',
};

describe('where saves go', () => {
  let dataDir: string;
  let allowed: string;
  let service: AppService;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-saves-data-'));
    allowed = mkdtempSync(join(tmpdir(), 'ls-saves-allowed-'));
    service = new AppService({ dataDir, allowedRoots: [allowed], spawnEngine: () => new FakeEngine() });
    await service.start();
  });

  afterEach(async () => {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(allowed, { recursive: true, force: true });
  });

  it("defaults to the data dir's exports/ (an allowed folder, made by the first save), or the folder the shell passes", async () => {
    const status = service.status();
    expect(status.exportsDir).toBe(join(dataDir, 'exports'));
    expect(existsSync(status.exportsDir)).toBe(false);
    const r = await dispatch(service.handlers, 'pathSave', { path: join(status.exportsDir, 'path.json'), doc: PATH });
    expect(r.ok).toBe(true);
    expect(existsSync(join(status.exportsDir, 'path.json'))).toBe(true);

    const pictures = join(allowed, 'Pictures', 'Latentscape');
    const shell = new AppService({ dataDir, exportsDir: pictures, spawnEngine: () => new FakeEngine() });
    await shell.start();
    try {
      expect(shell.status().exportsDir).toBe(pictures);
      expect(await shell.paths.isAllowed(join(pictures, 'latent-path.gif'))).toBe(true);
    } finally {
      await shell.stop();
    }
  });

  it("refuses a save inside the open dataset's folder, says why, and writes it once the user confirms", async () => {
    const images = join(allowed, 'holiday-photos');
    mkdirSync(join(images, 'beach'), { recursive: true });
    expect((await dispatch(service.handlers, 'openDataset', { source: { kind: 'folder', path: images } })).ok).toBe(true);

    for (const target of [join(images, 'path.json'), join(images, 'beach', 'path.json')]) {
      const refused = await dispatch(service.handlers, 'pathSave', { path: target, doc: PATH });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('inside-dataset');
        expect(refused.error.message).toContain("inside the open dataset's folder");
        expect(refused.error.message).toContain('the next ingest would read it as an image');
      }
      expect(existsSync(target)).toBe(false);
    }
    for (const [call, args] of [
      ['export', { path: join(images, 'latent-path.gif'), keyframes: new Float32Array(4), frames: 10 }],
      ['exportImage', { path: join(images, 'decoded.png'), z: new Float32Array(2) }],
      ['exportPoints', { path: join(images, 'points.csv') }],
    ] as const) {
      const r = await dispatch(service.handlers, call, args);
      expect(r.ok ? 'written' : r.error.code, call).toBe('inside-dataset');
    }

    // Beside the folder (a name that only starts the same) is not inside it.
    expect((await dispatch(service.handlers, 'pathSave', { path: join(allowed, 'holiday-photos-paths.json'), doc: PATH })).ok).toBe(true);
    const confirmed = await dispatch(service.handlers, 'pathSave', { path: join(images, 'path.json'), doc: PATH, insideDataset: true });
    expect(confirmed.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(images, 'path.json'), 'utf8'))).toMatchObject({ latentDim: 2, frames: 10 });
  });

  it("refuses a project folder inside the open dataset's folder until the user confirms; beside it, it saves", async () => {
    const images = join(allowed, 'holiday-photos');
    mkdirSync(join(images, 'beach'), { recursive: true });
    expect((await dispatch(service.handlers, 'openDataset', { source: { kind: 'folder', path: images } })).ok).toBe(true);

    for (const target of [join(images, 'my-project'), join(images, 'beach', 'my-project')]) {
      const refused = await dispatch(service.handlers, 'projectSave', { path: target });
      expect(refused.ok ? 'saved' : refused.error.code).toBe('inside-dataset');
      if (!refused.ok) {
        expect(refused.error.message).toContain(`the project folder "${target}" is inside the open dataset's folder`);
        expect(refused.error.message).toContain('the next ingest would read the files it holds as images');
      }
      expect(existsSync(target)).toBe(false);
    }
    expect(await dispatch(service.handlers, 'projectCurrent', {})).toMatchObject({ ok: true, value: { path: null } });

    const beside = join(allowed, 'holiday-photos-project');
    expect((await dispatch(service.handlers, 'projectSave', { path: beside })).ok).toBe(true);
    expect(existsSync(join(beside, 'project.json'))).toBe(true);

    const inside = join(images, 'my-project');
    const confirmed = await dispatch(service.handlers, 'projectSave', { path: inside, insideDataset: true });
    expect(confirmed.ok && confirmed.value).toEqual({ path: inside });
    expect(JSON.parse(readFileSync(join(inside, 'project.json'), 'utf8')).dataset).toMatchObject({ kind: 'folder', path: images });
    // Saving the open project again writes it where the user already chose, as autosave does.
    expect((await dispatch(service.handlers, 'projectSave', { path: inside })).ok).toBe(true);
  });
});
