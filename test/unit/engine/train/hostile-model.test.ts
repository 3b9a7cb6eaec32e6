/**
 * A model folder is something people share: its manifest may name any file, ask for any size, and its
 * weights may hold anything with a matching checksum. Each is refused with a message, without hanging,
 * without allocating what the manifest asks for, and without telling anything about outside files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { loadModel, readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine('train/hostile-model', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let model: string;
  beforeEach(async () => {
    dir = await tempDir();
    model = join(dir.path, 'model');
    const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, hidden: 16 }), 1);
    await saveModel(model, vae, { epochsCompleted: 1 });
    vae.dispose();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    return dir.cleanup();
  });

  async function editManifest(edit: (m: Record<string, any>) => void): Promise<void> {
    const file = join(model, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8'));
    edit(m);
    await writeFile(file, JSON.stringify(m));
  }

  /** Settles within `ms` or says it hung (a named pipe would block a plain readFile forever). */
  async function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('hung')), ms)));
    try {
      return await Promise.race([p, hang]);
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

  describe('the weights file a manifest names', () => {
    it('must be a plain name in the model folder: "../x" is refused without reading it or telling its size', async () => {
      const outside = join(dir.path, 'outside.bin');
      await writeFile(outside, Buffer.alloc(12345, 1));
      for (const name of ['../outside.bin', join(dir.path, 'outside.bin'), 'sub/weights.bin', '..', '.hidden']) {
        await editManifest((m) => (m.weights.file = name));
        const error = await loadModel(model).then(
          () => null,
          (e: Error) => e,
        );
        expect(error?.message, name).toMatch(/plain file name inside the model folder/);
        expect(error?.message).not.toContain('12345');
      }
    });

    it('must be a regular file: a symlink to an outside file is refused without telling its size', async () => {
      const outside = join(dir.path, 'outside.bin');
      await writeFile(outside, Buffer.alloc(12345, 1));
      const { rm } = await import('node:fs/promises');
      await rm(join(model, 'weights.bin'));
      await symlink(outside, join(model, 'weights.bin'));
      const error = await loadModel(model).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/symbolic link/);
      expect((error as Error).message).not.toContain('12345');
    });

    it.skipIf(!hasMkfifo)('a named pipe (in the folder or outside it) is refused at once instead of hanging (needs mkfifo)', async () => {
      execFileSync('mkfifo', [join(dir.path, 'pipe'), join(model, 'pipe.bin')]);
      await editManifest((m) => (m.weights.file = '../pipe'));
      await expect(within(loadModel(model))).rejects.toThrow(/plain file name/);
      await editManifest((m) => (m.weights.file = 'pipe.bin'));
      await expect(within(loadModel(model))).rejects.toThrow(/not a regular file/);
    });
  });

  describe('sizes a manifest asks for', () => {
    it('config.hidden: 100000 is refused before any model is allocated', async () => {
      const create = vi.spyOn(Vae, 'create');
      await editManifest((m) => (m.config.hidden = 100_000));
      await expect(loadModel(model)).rejects.toThrow(/hidden must be an integer from 1 to 4096/);
      expect(create).not.toHaveBeenCalled();
    });

    it.each([
      ['height', (m: any) => (m.config.height = m.config.width = 100_000)],
      ['filters', (m: any) => ((m.config.arch = 'conv'), (m.config.filters = [1, 2, 3, 4, 5, 6, 7, 8]))],
      ['each filter', (m: any) => ((m.config.arch = 'conv'), (m.config.height = m.config.width = 32), (m.config.filters = [1_000_000]))],
      ['parameters', (m: any) => ((m.config.height = m.config.width = 512), (m.config.channels = 3), (m.config.hidden = 4096))],
      ['weights', (m: any) => (m.weights.bytes = 1e12)],
      ['specs', (m: any) => (m.weights.specs[0].shape = [1e9, 1e9])],
    ])('a huge %s is refused before reading or allocating', async (_what, edit) => {
      const create = vi.spyOn(Vae, 'create');
      await editManifest(edit);
      await expect(within(loadModel(model))).rejects.toThrow(/manifest.json in .* is invalid|invalid model config|at most|do not fit|does not match its specs/);
      expect(create).not.toHaveBeenCalled();
    });

    it('a weight list that does not fit the config is refused before the weights are read', async () => {
      let reversed: string[] = [];
      await editManifest((m) => (reversed = m.weights.specs.reverse().map((spec: { name: string }) => spec.name)));
      // Reordering is fine (names decide); a changed shape is not.
      const read = await readManifest(model);
      expect(read.weights.specs.map((spec) => spec.name)).toEqual(reversed);
      await editManifest((m) => (m.weights.specs[0].shape = [m.weights.specs[0].shape[0] + 1]));
      await expect(readManifest(model)).rejects.toThrow(/do not fit the model/);
    });

    it('a manifest that is not a regular file, or is huge, is refused without hanging', async () => {
      const { rm } = await import('node:fs/promises');
      await writeFile(join(model, 'manifest.json'), Buffer.alloc(17 * 1024 * 1024, 0x20));
      await expect(within(readManifest(model))).rejects.toThrow(/too large/);
      if (hasMkfifo) {
        await rm(join(model, 'manifest.json'));
        execFileSync('mkfifo', [join(model, 'manifest.json')]);
        await expect(within(readManifest(model))).rejects.toThrow(/not a regular file/);
      }
    });

    it('a manifest that is not JSON is refused without quoting it', async () => {
      await writeFile(join(model, 'manifest.json'), 'root:x:0:0:secret-content');
      const error = await readManifest(model).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/not valid JSON/);
      expect((error as Error).message).not.toMatch(/root|secret/);
    });
  });

  describe('the weights themselves', () => {
    it('non-finite numbers are refused even when the checksum matches', async () => {
      const file = join(model, 'weights.bin');
      for (const bad of [NaN, Infinity, -Infinity]) {
        const bytes = await readFile(file);
        const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        floats.fill(bad);
        await writeFile(file, bytes);
        const sha = createHash('sha256').update(bytes).digest('hex');
        await editManifest((m) => (m.weights.sha256 = sha));
        await expect(loadModel(model), String(bad)).rejects.toThrow(/not finite/);
      }
    });
  });
});
