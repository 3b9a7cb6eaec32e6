/**
 * `latentscape interpolate` end to end on a small untrained model saved to disk: the files it writes
 * are read back with independent decoders (omggif for GIF, sharp for PNG, an EBML walk for WebM) and
 * their first and last frames compared with the model's own decode of the endpoints.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/commands/interpolate';
import { loadMnist } from '../../../src/engine/data/mnist';
import { upscaleNearest } from '../../../src/engine/export';
import { parsePathSpec } from '../../../src/shared/latent-path';
import { makeConfig, Vae } from '../../../src/engine/model/vae';
import { saveModel } from '../../../src/engine/train/checkpoint';
import { blockPayloads, find, IDS, parseEbml } from '../engine/export/ebml';
import { describeEngine } from '../../engine-suite';

describeEngine(
  'cli/interpolate',
  (backend) => {
    let dir: string;
    let modelDir: string;
    let vae: Vae;
    const SCALE = 4;
    const FROM = [-3, -2.5];
    const TO = [2.75, 3];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'latentscape-interp-cli-'));
      modelDir = join(dir, 'model');
      vae = Vae.create(makeConfig({ arch: 'mlp', latentDim: 2, hidden: 64 }), 11);
      await saveModel(modelDir, vae);
    });

    afterAll(async () => {
      vae?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    /** Runs the command in this process with --json and returns its final record. */
    async function interpolate(args: string[]): Promise<Record<string, unknown>> {
      const lines: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        await run(['--model', modelDir, '--backend', backend, '--json', ...args]);
      } finally {
        spy.mockRestore();
      }
      const records = lines
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const final = records.at(-1)!;
      expect(final.final).toBe(true);
      return final;
    }

    /** The model's image for one latent, upscaled like the export. */
    async function decodedUpscaled(z: ArrayLike<number>): Promise<Uint8Array> {
      const pixels = await vae.decodeToPixels(Float32Array.from(z), 1);
      return upscaleNearest(pixels, 28, 28, 1, SCALE);
    }

    function gifFrameGray(reader: GifReader, k: number): Uint8Array {
      const rgba = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(k, rgba);
      return rgba.filter((_, i) => i % 4 === 0);
    }

    async function pngGray(file: string): Promise<Uint8Array> {
      return new Uint8Array(await sharp(file).toColourspace('b-w').raw().toBuffer());
    }

    describe('latentscape interpolate', () => {
      it('--frames 60 --out a.gif: 60 frames of 28·scale px, first and last = decode(z_from), decode(z_to)', async () => {
        const out = join(dir, 'a.gif');
        const final = await interpolate(['--from', FROM.join(','), '--to', TO.join(','), '--frames', '60', '--out', out]);
        expect(final).toMatchObject({ kind: 'gif', frames: 60, width: 112, height: 112, fps: 30, scale: SCALE, latent: 2, backend: backend });
        const reader = new GifReader(new Uint8Array(await readFile(out)));
        expect(reader.numFrames()).toBe(60);
        expect([reader.width, reader.height]).toEqual([28 * SCALE, 28 * SCALE]);
        expect(reader.loopCount()).toBe(0);
        // Gray GIFs use a fixed 256-gray palette, so "within quantisation" is exact here.
        expect(gifFrameGray(reader, 0)).toEqual(await decodedUpscaled(FROM));
        expect(gifFrameGray(reader, 59)).toEqual(await decodedUpscaled(TO));
        expect(gifFrameGray(reader, 0)).not.toEqual(gifFrameGray(reader, 59));
      });

      it('dataset indices via MNIST, --via, spherical, out to frames/: 60 PNGs + sprite + path.json', async () => {
        const mnist = await loadMnist();
        const mu = (i: number): Promise<Float32Array> => vae.embed(mnist.pixels.subarray(i * 784, (i + 1) * 784), 1);
        const out = join(dir, 'frames') + '/';
        const final = await interpolate([
          '--from',
          '0',
          '--via',
          '7',
          '--to',
          '1',
          '--frames',
          '60',
          '--path',
          'spherical',
          '--ease',
          'ease-in-out',
          '--out',
          out,
        ]);
        expect(final).toMatchObject({ kind: 'frames', frames: 60, keyframes: 3, path: 'spherical', dataset: 'MNIST' });
        const folder = join(dir, 'frames');
        const names = await readdir(folder);
        expect(names.filter((n) => /^frame-\d{4}\.png$/.test(n)).length).toBe(60);
        expect(names).toEqual(expect.arrayContaining(['sprite.png', 'path.json']));
        expect(await pngGray(join(folder, 'frame-0000.png'))).toEqual(await decodedUpscaled(await mu(0)));
        expect(await pngGray(join(folder, 'frame-0059.png'))).toEqual(await decodedUpscaled(await mu(1)));
        const spec = parsePathSpec(await readFile(join(folder, 'path.json'), 'utf8'), 2);
        expect(spec.keyframes.map((k) => k.source)).toEqual([
          { index: 0, label: '5' },
          { index: 7, label: '3' },
          { index: 1, label: '0' },
        ]);
        expect(spec.segments).toEqual(['spherical', 'spherical']);
        expect(Array.from(Float32Array.from(spec.keyframes[0].z))).toEqual(Array.from(await mu(0)));
      });

      it('.webm: 60 VP8 key frames in the container', async () => {
        const out = join(dir, 'a.webm');
        const final = await interpolate(['--from', FROM.join(','), '--to', TO.join(','), '--frames', '60', '--fps', '24', '--scale', '2', '--out', out]);
        expect(final).toMatchObject({ kind: 'webm', frames: 60, width: 56, height: 56 });
        const webm = new Uint8Array(await readFile(out));
        const [segment] = find(parseEbml(webm), IDS.Segment);
        expect(blockPayloads(webm, segment).length).toBe(60);
      });

      it('--loop ping-pongs back to the first frame; --save-path / --load-path reproduce the same GIF', async () => {
        const first = join(dir, 'loop.gif');
        const saved = join(dir, 'loop.path.json');
        await interpolate([
          '--from',
          FROM.join(','),
          '--via',
          '0.5,-1',
          '--to',
          TO.join(','),
          '--frames',
          '31',
          '--loop',
          '--out',
          first,
          '--save-path',
          saved,
        ]);
        const reader = new GifReader(new Uint8Array(await readFile(first)));
        expect(reader.numFrames()).toBe(31);
        expect(gifFrameGray(reader, 30)).toEqual(gifFrameGray(reader, 0));
        expect(gifFrameGray(reader, 15)).toEqual(await decodedUpscaled(TO));
        const again = join(dir, 'loop-again.gif');
        await interpolate(['--load-path', saved, '--out', again]);
        expect(await readFile(again)).toEqual(await readFile(first));
      });

      it('refuses bad input with clear messages', async () => {
        const vec = ['--from', '0,0', '--to', '1,1'];
        await expect(run(['--model', join(dir, 'nope'), ...vec, '--out', join(dir, 'x.gif')])).rejects.toThrow(/model directory not found/);
        await expect(run(['--model', dir, ...vec, '--out', join(dir, 'x.gif')])).rejects.toThrow(/not a Latentscape model directory/);
        await expect(run(['--model', modelDir, '--from', '1,2,3', '--to', '0,0', '--out', join(dir, 'x.gif')])).rejects.toThrow(
          /--from has 3 values but the model's latent size is 2/,
        );
        await expect(run(['--model', modelDir, '--from', '70000', '--to', '0', '--out', join(dir, 'x.gif')])).rejects.toThrow(
          /--from 70000 is out of range: MNIST has 70000 images/,
        );
        await expect(run(['--model', modelDir, '--from', 'abc', '--to', '0', '--out', join(dir, 'x.gif')])).rejects.toThrow(/neither a dataset index/);
        await expect(run(['--model', modelDir, ...vec, '--out', join(dir, 'x.mp4')])).rejects.toThrow(/cannot export to ".mp4" files/);
        await expect(run(['--model', modelDir, ...vec, '--frames', '1', '--out', join(dir, 'x.gif')])).rejects.toThrow(/--frames must be an integer from 2/);
        await expect(run(['--model', modelDir, '--to', '0,0', '--out', join(dir, 'x.gif')])).rejects.toThrow(/--from and --to are required/);
        const corrupt = join(dir, 'corrupt.json');
        await writeFile(corrupt, '{"format": "latentscape-path", "version": 1, "latentDim": 2, "keyframes": [{"z": [0, 0]}');
        await expect(run(['--model', modelDir, '--load-path', corrupt, '--out', join(dir, 'x.gif')])).rejects.toThrow(
          /path file .*corrupt\.json is not valid JSON/,
        );
        await writeFile(
          corrupt,
          JSON.stringify({
            format: 'latentscape-path',
            version: 1,
            latentDim: 3,
            keyframes: [{ z: [0, 0, 0] }, { z: [1, 1, 1] }],
            segments: ['linear'],
            frames: 10,
          }),
        );
        await expect(run(['--model', modelDir, '--load-path', corrupt, '--out', join(dir, 'x.gif')])).rejects.toThrow(
          /latent size 3 but the model's latent size is 2/,
        );
        await expect(readFile(join(dir, 'x.gif'))).rejects.toThrow();
      });

      it('runs as `latentscape interpolate` and exits 2 on a usage error', async () => {
        const exec = promisify(execFile);
        const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../bin/latentscape.js');
        const out = join(dir, 'bin.gif');
        const { stdout } = await exec(process.execPath, [
          bin,
          'interpolate',
          '--model',
          modelDir,
          '--from',
          '0,0',
          '--to',
          '1,1',
          '--frames',
          '12',
          '--out',
          out,
          '--json',
          '--backend',
          backend,
        ]);
        const final = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
        expect(final).toMatchObject({ final: true, kind: 'gif', frames: 12 });
        expect(new GifReader(new Uint8Array(await readFile(out))).numFrames()).toBe(12);
        const failed = await exec(process.execPath, [
          bin,
          'interpolate',
          '--model',
          modelDir,
          '--from',
          '0,0',
          '--to',
          '1,1',
          '--out',
          join(dir, 'bad.avi'),
        ]).catch((e) => e as { code: number; stderr: string });
        expect(failed).toMatchObject({ code: 2 });
        expect((failed as { stderr: string }).stderr).toMatch(/latentscape interpolate: --out: cannot export to ".avi" files/);
      });
    });
  },
  { only: { backends: ['wasm', 'tensorflow'], why: 'encodes 60-frame GIFs and videos: the files do not depend on which backend decoded the frames' } },
);
