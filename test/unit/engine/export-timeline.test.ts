/**
 * The export's timeline in the engine (shared/frame-spacing.ts applied by latent-paths.ts): hold
 * frames at the keyframes, the path repeated for the loop count, frames spaced by equal change of
 * the decoded image, the path's note written into the file; tensors stay flat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GifReader } from 'omggif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers } from '../../../src/engine/handlers';
import { gifComments } from '../../../src/node/image-notes';
import { pixelChanges } from '../../../src/shared/frame-spacing';
import { runEngineCall } from '../../../src/shared/engine-protocol';
import type { Images } from '../../../src/shared/contract';
import { tempDir } from '../helpers';
import { describeEngine } from '../../engine-suite';

describeEngine('export-timeline', (backend) => {
  describe('exportFrames and export (engine)', () => {
    const handlers = engineHandlers(() => {});
    let dir: Awaited<ReturnType<typeof tempDir>>;
    // The default model has d = 3; a long walk whose images change unevenly along it.
    const keyframes = Float32Array.from([-3, 0, 0, 0, 0.2, 0, 3, 0, 0]);
    const path = { keyframes, frames: 9, mode: 'linear' as const };
    const frames = (extra: Record<string, unknown> = {}) => runEngineCall(handlers, 'exportFrames', { ...path, ...extra }) as Promise<Images>;
    const frameBytes = 28 * 28;
    const frame = (images: Images, k: number): Buffer => Buffer.from(images.pixels.subarray(k * frameBytes, (k + 1) * frameBytes));

    beforeAll(async () => {
      await handlers.init({ backend });
      await handlers.loadModel({ dir: resolve('resources/default-model') });
      dir = await tempDir('ls-timeline-');
    });
    afterAll(() => dir?.cleanup());

    it('without options gives the path’s frames as the preview decodes them', async () => {
      const plain = await frames();
      const preview = (await runEngineCall(handlers, 'interpolate', { ...path, easing: 'linear', loop: 'none', spacing: 'length', decode: true })) as {
        images: Images;
      };
      expect(plain.count).toBe(9);
      expect(Buffer.from(plain.pixels).equals(Buffer.from(preview.images.pixels))).toBe(true);
    });

    it('holds the frames at the keyframes and repeats the whole for the loop count', async () => {
      const plain = await frames();
      const held = await frames({ hold: 2, loops: 3 });
      // Three keyframes, each 2 more times, the 15 frames 3 times.
      expect(held.count).toBe((9 + 3 * 2) * 3);
      for (const k of [0, 1, 2]) expect(frame(held, k).equals(frame(plain, 0))).toBe(true);
      expect(frame(held, 3).equals(frame(plain, 1))).toBe(true);
      expect(frame(held, 14).equals(frame(plain, 8))).toBe(true);
      expect(frame(held, 15).equals(frame(plain, 0))).toBe(true);
    });

    it('with equal change, spaces the frames more evenly by what the images show, from the same first and last frame', async () => {
      const plain = await frames();
      const even = await frames({ equalChange: true });
      expect(even.count).toBe(9);
      expect(frame(even, 0).equals(frame(plain, 0))).toBe(true);
      expect(frame(even, 8).equals(frame(plain, 8))).toBe(true);
      const spread = (images: Images): number => {
        const c = Array.from(pixelChanges(images.pixels, frameBytes, images.count));
        const mean = c.reduce((s, x) => s + x, 0) / c.length;
        return Math.sqrt(c.reduce((s, x) => s + (x - mean) ** 2, 0) / c.length) / mean;
      };
      expect(spread(even)).toBeLessThan(spread(plain));
    });

    it('writes the note and the loop count into a GIF, and keeps the tensor count flat', async () => {
      await frames({ equalChange: true, hold: 1 }); // warm-up
      const tensors = tf.memory().numTensors;
      const target = join(dir.path, 'walk.gif');
      const note = '{"format":"latentscape-export-path","x":1}';
      const r = await runEngineCall(handlers, 'export', { ...path, path: target, fps: 10, scale: 1, hold: 1, loops: 4, equalChange: true, note });
      expect(r).toMatchObject({ kind: 'gif', files: 1 });
      const gif = new Uint8Array(await readFile(target));
      const reader = new GifReader(Buffer.from(gif));
      expect(reader.numFrames()).toBe(9 + 3); // a GIF loops by its own field: the frames are not repeated
      expect(reader.loopCount()).toBe(3);
      expect(gifComments(gif)).toEqual([note]);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  });
});
