/**
 * The serve host's largest frame is derived from the contract's limits: the largest legitimate calls,
 * encoded for real, must fit in it, and it must not be much bigger than they are.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_BOOKMARK_SELECTION,
  MAX_BOOKMARKS,
  MAX_CALL_FRAME_BYTES,
  MAX_DECODE_FLOATS,
  MAX_ENCODE_IMAGE_BYTES,
  MAX_KEPT_DROPPED,
  MAX_KEPT_IMAGE_BYTES,
  ENCODE_NEIGHBOURS,
  MAX_LABEL_CHARS,
  MAX_LATENT,
  MAX_VIEW_KEYFRAMES,
  MAX_VIEW_PATHS,
  calls,
  type PathDoc,
} from '../../../src/shared/contract';
import { encodeFrame } from '../../../src/shared/wire';

function worstView(): { camera: null; paths: PathDoc[]; activePath: number; bookmarks: unknown[]; dropped: unknown[]; customAxis: unknown } {
  const perPath = MAX_VIEW_KEYFRAMES / MAX_VIEW_PATHS;
  // A control character JSON-escapes to six bytes: the longest a label can get on the wire.
  const label = '\u0001'.repeat(MAX_LABEL_CHARS);
  const paths = Array.from({ length: MAX_VIEW_PATHS }, () => ({
    latentDim: MAX_LATENT,
    keyframes: new Float32Array(perPath * MAX_LATENT),
    sources: Array.from({ length: perPath }, (_, i) => ({ index: 1_000_000 + i, label })),
    segments: Array.from({ length: perPath - 1 }, () => 'spherical' as const),
    frames: 10_000,
    easing: 'ease-in-out' as const,
    loop: 'ping-pong' as const,
    spacing: 'length' as const,
    fps: 119.99999,
  }));
  const bookmarks = Array.from({ length: MAX_BOOKMARKS }, () => ({
    name: label,
    camera: { position: [-1.2345678901234567e-300, 1, 1], target: [-1.2345678901234567e-300, 0, 0] },
    projection: 'umap',
    colorMode: 'recon',
    search: label,
    selection: Array.from({ length: MAX_BOOKMARK_SELECTION }, (_, i) => 1_000_000_000 + i),
    decoded: Array.from({ length: MAX_LATENT }, () => -1.2345678901234567e-300),
  }));
  // The kept dropped images at their largest (issue 27), and a custom axis of full-precision numbers.
  const image = () => ({ count: 1, height: MAX_KEPT_IMAGE_BYTES / 256, width: 256, channels: 1, pixels: new Uint8Array(MAX_KEPT_IMAGE_BYTES) });
  const dropped = Array.from({ length: MAX_KEPT_DROPPED }, () => ({
    name: '\u0001'.repeat(255),
    mu: new Float32Array(MAX_LATENT),
    sigma: new Float32Array(MAX_LATENT),
    input: image(),
    reconstruction: image(),
    reconNats: -1.2345678901234567e-300,
    rmse: 1.2345678901234567e-300,
    nearest: { ids: new Int32Array(ENCODE_NEIGHBOURS), distances: new Float32Array(ENCODE_NEIGHBOURS) },
  }));
  const row = () => Array.from({ length: MAX_LATENT }, () => -1.2345678901234567e-300);
  const customAxis = { what: label, latentDim: MAX_LATENT, mean: row(), axes: [row(), row(), row()], explained: [0.1, 0.2, 0.3] };
  return { camera: null, paths, activePath: 99, bookmarks, dropped, customAxis };
}

describe('MAX_CALL_FRAME_BYTES', () => {
  it('holds the largest legitimate calls, and is less than twice the largest', () => {
    const view = worstView();
    const candidates = {
      decode: { z: new Float32Array(MAX_DECODE_FLOATS) },
      projectUpdate: { view, autosave: true },
      projectSave: { path: '/' + 'a'.repeat(4000), view },
      encodeImage: { name: 'n'.repeat(255), bytes: new Uint8Array(MAX_ENCODE_IMAGE_BYTES) },
    } as const;
    let largest = 0;
    for (const [method, args] of Object.entries(candidates)) {
      const parsed = calls[method as keyof typeof candidates].input.safeParse(args);
      expect(parsed.success, `${method} is legitimate`).toBe(true);
      const bytes = encodeFrame({ kind: 'call', id: 2 ** 31, method, args }).byteLength;
      expect(bytes, method).toBeLessThanOrEqual(MAX_CALL_FRAME_BYTES);
      largest = Math.max(largest, bytes);
    }
    expect(MAX_CALL_FRAME_BYTES).toBeLessThan(2 * largest);
  });

  it('refuses a view over the limits', () => {
    const view = worstView();
    view.paths[0].keyframes = new Float32Array(view.paths[0].keyframes.length + MAX_LATENT);
    view.paths[0].sources.push(null as never);
    view.paths[0].segments.push('linear');
    expect(calls.projectUpdate.input.safeParse({ view, autosave: false }).success).toBe(false);
  });
});
