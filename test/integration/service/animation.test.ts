/**
 * Interpolation and exports through the service with the real engine process (wasm): the preview
 * decodes a path in one call, a GIF export is read back (frame count, size), an export can be
 * cancelled (nothing written), a decoded image is saved as PNG, and a project saved with the real
 * model reopens in a new app with the same weights hash and the points restored from the project.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import type { CallName, EventData, EventName, Images, ProjectSummary } from '../../../src/shared/contract';

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function call<T>(service: AppService, name: CallName, args: unknown): Promise<T> {
  const r = await dispatch(service.handlers, name, args);
  if (!r.ok) throw Object.assign(new Error(`${name}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

describe('animations and projects with the real engine', () => {
  let dataDir: string;
  let out: string;
  let service: AppService;
  const seen: [EventName, unknown][] = [];
  const keyframes = new Float32Array([-1.5, -1, 0, 0.5, 1.5, 1]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-anim-data-'));
    out = mkdtempSync(join(tmpdir(), 'ls-anim-out-'));
    service = new AppService({ dataDir, allowedRoots: [out], spawnEngine: () => forkNodeEngine(), backend: 'wasm' });
    service.on((n, d) => seen.push([n, d]));
    await service.start();
    await call(service, 'openDataset', { source: { kind: 'mnist' } });
    await service.trainStart({ arch: 'mlp', latentDim: 2, epochs: 1, limit: 300 });
    await until(() => seen.some(([n]) => n === 'embeddingsReady'), 'embeddings');
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('previews a path: frames × d latents and their images from one call', async () => {
    const r = await call<{ z: Float32Array; frames: number; latentDim: number; images: Images }>(service, 'interpolate', {
      keyframes,
      frames: 9,
      mode: ['linear', 'spherical'],
      loop: 'ping-pong',
      decode: true,
    });
    expect(r.z).toHaveLength(18);
    expect(Array.from(r.z.subarray(0, 2))).toEqual(Array.from(keyframes.subarray(0, 2)));
    expect(Array.from(r.z.subarray(8, 10))).toEqual(Array.from(keyframes.subarray(4, 6)));
    expect(r.images).toMatchObject({ count: 9, width: 28, height: 28, channels: 1 });
    expect(r.images.pixels).toHaveLength(9 * 784);
    // Without decode, only the latents (to draw the path).
    const bare = await call<{ images: null }>(service, 'interpolate', { keyframes, frames: 200 });
    expect(bare.images).toBeNull();
  });

  it('exports a GIF with progress, and it reads back with the right frames and size', async () => {
    seen.length = 0;
    const file = join(out, 'walk.gif');
    const result = await call<{ kind: string; bytes: number }>(service, 'export', { path: file, keyframes, frames: 12, mode: 'spherical', fps: 20, scale: 3 });
    expect(result).toMatchObject({ kind: 'gif', path: file, files: 1 });
    const gif = new GifReader(new Uint8Array(readFileSync(file)));
    expect(gif.numFrames()).toBe(12);
    expect([gif.width, gif.height]).toEqual([84, 84]);
    expect(gif.frameInfo(0).delay).toBe(5);
    const progress = seen.filter(([n]) => n === 'exportProgress').map(([, d]) => d as EventData<'exportProgress'>);
    expect(progress.some((p) => p.stage === 'decode' && p.done === 12)).toBe(true);
    expect(progress.at(-1)).toEqual({ stage: 'encode', done: 12, total: 12 });
  });

  it('cancels an export: the call fails as cancelled and nothing is written', async () => {
    seen.length = 0;
    const file = join(out, 'long.webm');
    const pending = dispatch(service.handlers, 'export', { path: file, keyframes, frames: 3000, fps: 60, scale: 8 });
    await until(() => seen.some(([n]) => n === 'exportProgress'), 'export progress');
    expect(await call(service, 'exportCancel', {})).toEqual({ cancelled: true });
    const r = await pending;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ code: 'cancelled', message: 'the export was cancelled: nothing was written' });
    expect(readdirSync(out).filter((n) => n.includes('long'))).toEqual([]);
    expect(await call(service, 'exportCancel', {})).toEqual({ cancelled: false });
  });

  it('saves one decoded point as a PNG, upscaled', async () => {
    const file = join(out, 'point.png');
    await call(service, 'exportImage', { path: file, z: new Float32Array([0.5, -0.5]), scale: 4 });
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([112, 112, 'png']);
  });

  it('a project saved with the real model reopens in a new app: same weights hash, points from the project', async () => {
    const project = join(out, 'project');
    const view = { camera: { position: [1, 2, 3] as [number, number, number], target: [0, 0, 0] as [number, number, number] }, paths: [], activePath: null };
    await call(service, 'projectSave', { path: project, view });
    const manifestHash = JSON.parse(readFileSync(join(service.status().model!.dir, 'manifest.json'), 'utf8')).weights.sha256 as string;
    await service.stop();

    const again = new AppService({ dataDir, allowedRoots: [out], spawnEngine: () => forkNodeEngine(), backend: 'wasm' });
    const events: EventName[] = [];
    again.on((n) => events.push(n));
    try {
      await again.start();
      const opened = await call<ProjectSummary>(again, 'projectOpen', { path: project });
      expect(opened.weightsHash).toBe(manifestHash);
      expect(opened.model?.epochsCompleted).toBe(1);
      expect(opened.view?.camera).toEqual(view.camera);
      expect(again.status().embeddingsReady).toBe(true);
      const e = await call<{ count: number; mu: Float32Array }>(again, 'embeddings', {});
      expect(e.count).toBe(70000);
      // The decoder is the same: a point decodes to the same pixels as before the restart.
      const img = await call<Images>(again, 'decode', { z: new Float32Array([0.5, -0.5]) });
      expect(existsSync(join(out, 'point.png'))).toBe(true);
      const raw = await sharp(join(out, 'point.png')).extractChannel(0).raw().toBuffer();
      expect(img.pixels[0]).toBe(raw[0]);
      expect(img.pixels[28 * 14 + 14]).toBe(raw[112 * (14 * 4) + 14 * 4]);
    } finally {
      await again.stop();
    }
  });
});
