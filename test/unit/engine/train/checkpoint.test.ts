import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readFile, writeFile, truncate, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vae, makeConfig } from '../../../../src/engine/model/vae';
import { MAX_METRIC_ROWS, loadModel, readManifest, saveModel } from '../../../../src/engine/train/checkpoint';
import { tempDir } from '../../helpers';
import { describeEngine } from '../../../engine-suite';

describeEngine('train/checkpoint', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let model: string;
  beforeEach(async () => {
    dir = await tempDir();
    model = join(dir.path, 'model');
  });
  afterEach(() => dir.cleanup());

  async function savedModel(arch: 'mlp' | 'conv' = 'mlp'): Promise<Vae> {
    const vae = Vae.create(makeConfig({ arch, latentDim: 5, likelihood: 'gaussian', learnedScale: true }), 42);
    await saveModel(model, vae, { epochsCompleted: 3 });
    return vae;
  }

  async function editManifest(edit: (m: Record<string, any>) => void): Promise<void> {
    const file = join(model, 'manifest.json');
    const m = JSON.parse(await readFile(file, 'utf8'));
    edit(m);
    await writeFile(file, JSON.stringify(m));
  }

  describe('checkpoint', () => {
    it.each(['mlp', 'conv'] as const)('%s round-trips bit-exactly', async (arch) => {
      const vae = await savedModel(arch);
      const { vae: loaded, manifest } = await loadModel(model);
      expect(manifest.config).toEqual(vae.config);
      expect(manifest.epochsCompleted).toBe(3);
      expect([...loaded.params.keys()]).toEqual([...vae.params.keys()]);
      for (const [name, v] of vae.params) {
        const a = new Uint8Array(v.dataSync().buffer.slice(0));
        const b = new Uint8Array(loaded.params.get(name)!.dataSync().buffer.slice(0));
        expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), name).toBe(0);
      }
      const z = new Float32Array([0.1, -0.2, 0.3, 0.4, -0.5]);
      expect(await loaded.decodeToPixels(z, 1)).toEqual(await vae.decodeToPixels(z, 1));
      vae.dispose();
      loaded.dispose();
    });

    it('overwrites an existing model atomically and leaves no temporary directories', async () => {
      const first = await savedModel();
      const second = Vae.create(first.config, 7);
      await saveModel(model, second, { epochsCompleted: 4 });
      const { vae: loaded, manifest } = await loadModel(model);
      expect(manifest.epochsCompleted).toBe(4);
      expect(Array.from(loaded.params.get('decoder/out/kernel')!.dataSync().slice(0, 5))).toEqual(
        Array.from(second.params.get('decoder/out/kernel')!.dataSync().slice(0, 5)),
      );
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir.path)).toEqual(['model']);
      [first, second, loaded].forEach((v) => v.dispose());
    });

    it('a failed save leaves the previous model intact', async () => {
      const vae = await savedModel();
      const before = await readFile(join(model, 'weights.bin'));
      const broken = Vae.create(vae.config, 9);
      broken.params.get('encoder/mean/bias')!.dispose();
      await expect(saveModel(model, broken)).rejects.toThrow();
      broken.dispose();
      expect(Buffer.compare(await readFile(join(model, 'weights.bin')), before)).toBe(0);
      const { vae: loaded } = await loadModel(model);
      loaded.dispose();
      vae.dispose();
    });

    it('refuses a missing directory', async () => {
      await expect(loadModel(join(dir.path, 'nope'))).rejects.toThrow(/model directory not found/);
    });

    it('refuses a file where a directory should be', async () => {
      await writeFile(model, 'x');
      await expect(loadModel(model)).rejects.toThrow(/is not a directory/);
    });

    it('refuses a directory without manifest.json', async () => {
      await mkdir(model);
      await expect(loadModel(model)).rejects.toThrow(/not a Latentscape model directory: manifest.json is missing/);
    });

    it('recognises a foreign TensorFlow.js model directory', async () => {
      await mkdir(model);
      await writeFile(join(model, 'model.json'), '{"modelTopology":{}}');
      await expect(loadModel(model)).rejects.toThrow(/holds a TensorFlow.js model \(model.json\), not a Latentscape model/);
    });

    it('refuses a foreign manifest', async () => {
      await mkdir(model);
      await writeFile(join(model, 'manifest.json'), JSON.stringify({ name: 'some-app', version: 1 }));
      await expect(loadModel(model)).rejects.toThrow(/is not a Latentscape model manifest \(format is null/);
    });

    it('refuses a manifest that is not JSON', async () => {
      (await savedModel()).dispose();
      await writeFile(join(model, 'manifest.json'), '{"format": "latentscape-model", ');
      await expect(loadModel(model)).rejects.toThrow(/manifest.json .* is corrupt: not valid JSON/);
    });

    it('refuses a newer format version', async () => {
      (await savedModel()).dispose();
      await editManifest((m) => (m.formatVersion = 99));
      await expect(loadModel(model)).rejects.toThrow(/written by a newer Latentscape \(model format 99/);
    });

    it('refuses a top-level key it does not know, naming it', async () => {
      (await savedModel()).dispose();
      await editManifest((m) => (m.sneaky = { path: '/etc' }));
      await expect(readManifest(model)).rejects.toThrow(/manifest\.json in .* is invalid: .*sneaky/);
    });

    it('keeps only the latest MAX_METRIC_ROWS epoch rows, when saving and when reading', async () => {
      const record = { epoch: 1, train_loss: 5, test_loss: 6, recon: 4, kl: 1, test_recon: 5, test_kl: 1, samples_per_s: 100, seconds: 2, backend: 'wasm' };
      const rows = Array.from({ length: MAX_METRIC_ROWS + 5 }, (_, i) => ({ ...record, epoch: i + 1 }));
      const vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2 }), 1);
      await saveModel(model, vae, { epochsCompleted: rows.length, metrics: rows });
      vae.dispose();
      const written = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8'));
      expect(written.metrics.length).toBe(MAX_METRIC_ROWS);
      expect(written.metrics[0].epoch).toBe(6);
      await editManifest((m) => (m.metrics = rows));
      const read = await readManifest(model);
      expect(read.metrics.length).toBe(MAX_METRIC_ROWS);
      expect(read.metrics.at(-1)?.epoch).toBe(MAX_METRIC_ROWS + 5);
      expect(read.epochsCompleted).toBe(MAX_METRIC_ROWS + 5);
    });

    it('reads epoch metrics with keys it does not know or from before psnr_db, and refuses ones missing a field', async () => {
      (await savedModel()).dispose();
      const record = { epoch: 1, train_loss: 5, test_loss: 6, recon: 4, kl: 1, test_recon: 5, test_kl: 1, samples_per_s: 100, seconds: 2, backend: 'wasm' };
      await editManifest(
        (m) =>
          (m.metrics = [
            { ...record, lr: 0.003 },
            { ...record, epoch: 2, psnr_db: 17.5 },
          ]),
      );
      const manifest = await readManifest(model);
      expect(manifest.metrics).toEqual([record, { ...record, epoch: 2, psnr_db: 17.5 }]);
      await editManifest((m) => delete m.metrics[0].test_kl);
      await expect(readManifest(model)).rejects.toThrow(/metrics\.0\.test_kl/);
    });

    it('refuses an invalid config, naming the field', async () => {
      (await savedModel()).dispose();
      await editManifest((m) => (m.config.latentDim = 500));
      await expect(loadModel(model)).rejects.toThrow(/invalid model config: latent size must be an integer from 2 to 64, got 500/);
      await editManifest((m) => delete m.config.arch);
      await expect(readManifest(model)).rejects.toThrow(/invalid: config.arch/);
    });

    it('refuses truncated weights', async () => {
      (await savedModel()).dispose();
      const size = (await stat(join(model, 'weights.bin'))).size;
      await truncate(join(model, 'weights.bin'), size - 100);
      await expect(loadModel(model)).rejects.toThrow(new RegExp(`weights.bin is truncated or corrupt: expected ${size} bytes, found ${size - 100}`));
    });

    it('refuses weights whose bytes changed', async () => {
      (await savedModel()).dispose();
      const file = join(model, 'weights.bin');
      const bytes = await readFile(file);
      bytes[1234] ^= 0xff;
      await writeFile(file, bytes);
      await expect(loadModel(model)).rejects.toThrow(/weights.bin is corrupt: its checksum does not match/);
    });

    it('refuses missing weights', async () => {
      (await savedModel()).dispose();
      const { rm } = await import('node:fs/promises');
      await rm(join(model, 'weights.bin'));
      await expect(loadModel(model)).rejects.toThrow(/weights file weights.bin is missing/);
    });

    it('refuses weights that do not fit the config', async () => {
      (await savedModel()).dispose();
      await editManifest((m) => (m.config.hidden = 300));
      await expect(loadModel(model)).rejects.toThrow(
        /do not fit the model: weight "encoder\/hidden\/kernel" has shape \[784,400\] but the model needs \[784,300\]/,
      );
    });

    it('leaves no tensors behind when loading fails', async () => {
      (await savedModel()).dispose();
      await editManifest((m) => (m.config.hidden = 300));
      const before = tf.memory().numTensors;
      await expect(loadModel(model)).rejects.toThrow();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
