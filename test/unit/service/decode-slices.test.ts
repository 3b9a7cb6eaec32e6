/**
 * Big decodes go to the engine in slices (src/service/decode-slices.ts): the images come back whole
 * and in order, a model change between slices is refused, and an interactive call from another
 * client reaches the in-process fake engine after at most one slice of the big decode.
 */
import { describe, expect, it } from 'vitest';
import type { Images } from '../../../src/shared/base-schemas';
import { DECODE_SLICE_VECTORS, decodeInSlices } from '../../../src/service/decode-slices';
import { runAsCaller } from '../../../src/service/engine-queue';
import { EngineSupervisor, type EngineHooks } from '../../../src/service/engine-supervisor';
import { ServiceEvents } from '../../../src/service/events';
import { FakeEngine } from './fake-engine';

/** 1×1 images whose one pixel is the vector's first coordinate. */
function recordingDecode(latentDim: number, sizes: number[]): (z: Float32Array) => Promise<Images> {
  return async (z) => {
    const count = z.length / latentDim;
    sizes.push(count);
    return { count, height: 1, width: 1, channels: 1, pixels: Uint8Array.from({ length: count }, (_, i) => z[i * latentDim]) };
  };
}

/** n vectors of 2 numbers, the first one the vector's index mod 256. */
const latents = (n: number): Float32Array => Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 0 : (i / 2) % 256));

describe('decodes in slices', () => {
  it('sends a big decode in equal slices and puts the images back in order', async () => {
    const sizes: number[] = [];
    const images = await decodeInSlices(recordingDecode(2, sizes), latents(4096), 2, () => 'model');
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(DECODE_SLICE_VECTORS);
    expect(new Set(sizes).size).toBe(1);
    expect(images.count).toBe(4096);
    expect(Array.from(images.pixels)).toEqual(Array.from({ length: 4096 }, (_, i) => i % 256));
  });

  it('sends a small decode, or one the engine must refuse, whole', async () => {
    const sizes: number[] = [];
    await decodeInSlices(recordingDecode(2, sizes), latents(DECODE_SLICE_VECTORS), 2, () => 'model');
    await decodeInSlices(recordingDecode(2, sizes), new Float32Array(2 * 4096 + 1), 2, () => 'model');
    expect(sizes).toEqual([DECODE_SLICE_VECTORS, 4096.5]);
  });

  it("refuses with 'stale' when another model is opened between slices", async () => {
    let model = 'a';
    const decode = recordingDecode(2, []);
    const switching = async (z: Float32Array): Promise<Images> => {
      model = 'b';
      return decode(z);
    };
    await expect(decodeInSlices(switching, latents(4096), 2, () => model)).rejects.toMatchObject({ code: 'stale' });
  });

  it('lets a 1-vector decode of another client reach the engine after at most one slice of a decode(4096)', async () => {
    let fake: FakeEngine | null = null;
    const hooks: EngineHooks = { onEvent: () => {}, onLost: () => {}, beforeRestart: () => {}, restore: async () => [], afterRestart: () => {} };
    const engine = new EngineSupervisor({ spawnEngine: () => (fake = new FakeEngine()) }, new ServiceEvents(), hooks);
    await engine.start();
    const decode = (z: Float32Array): Promise<Images> => engine.request('decode', { z });
    const big = runAsCaller('flood', () => decodeInSlices(decode, latents(4096), 2, () => 'model'));
    // The probe comes once the big decode is at the engine.
    await new Promise((r) => setImmediate(r));
    const probe = runAsCaller('probe', () => decodeInSlices(decode, latents(1), 2, () => 'model'));
    await Promise.all([big, probe]);
    const decodes = fake!.received.filter((m) => m.op === 'decode').map((m) => (m.args as { z: Float32Array }).z.length / 2);
    const probeAt = decodes.indexOf(1);
    const vectorsAhead = decodes.slice(0, probeAt).reduce((a, b) => a + b, 0);
    expect(vectorsAhead).toBeLessThanOrEqual(DECODE_SLICE_VECTORS);
    expect(decodes.reduce((a, b) => a + b, 0)).toBe(4097);
    await engine.stop();
  });

  it("runs one caller's big decodes one after the other, so it holds one partial result at a time", async () => {
    const order: string[] = [];
    const tagged = (tag: string) => async (z: Float32Array) => {
      order.push(tag);
      await new Promise((r) => setImmediate(r));
      return recordingDecode(2, [])(z);
    };
    await runAsCaller('one', () =>
      Promise.all([decodeInSlices(tagged('a'), latents(2048), 2, () => 'model'), decodeInSlices(tagged('b'), latents(2048), 2, () => 'model')]),
    );
    expect(order.join('')).toBe('aaaabbbb');
  });
});
