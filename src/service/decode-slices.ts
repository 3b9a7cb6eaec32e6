/**
 * A big decode goes to the engine in slices, each its own turn in the engine queue (engine-queue.ts),
 * one after the other. The engine computes one request at a time, so while a client's decode(4096)
 * runs, an interactive call waits for at most one slice, and other clients' turns come between
 * slices instead of after the whole decode. The engine protocol is unchanged: a slice is a decode.
 *
 * A sliced decode holds the slices decoded so far until its last one; so that a client with many big
 * decodes outstanding holds one such partial result, not one per call, a caller's big decodes run one
 * after the other (round-robin gives a caller one engine turn per round either way).
 */
import { ContractError } from '../shared/contract';
import type { Images } from '../shared/base-schemas';
import { currentCaller } from './engine-queue';

/** Decodes of more vectors than this are sliced. */
export const DECODE_SLICE_VECTORS = 512;

/**
 * Decodes z (n vectors of `latentDim`) with `decode`, in equal slices of at most DECODE_SLICE_VECTORS.
 * `model` tells which model is open: if it changes between slices, the images would mix two models,
 * so the call is refused and can be made again.
 */
export function decodeInSlices(decode: (z: Float32Array) => Promise<Images>, z: Float32Array, latentDim: number | null, model: () => unknown): Promise<Images> {
  if (!latentDim || !Number.isInteger(z.length / latentDim) || z.length / latentDim <= DECODE_SLICE_VECTORS) return decode(z);
  const caller = currentCaller();
  const run = (): Promise<Images> => sliced(decode, z, latentDim, model);
  const mine = (bigDecodes.get(caller) ?? Promise.resolve()).then(run, run);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  bigDecodes.set(caller, settled);
  void settled.then(() => {
    if (bigDecodes.get(caller) === settled) bigDecodes.delete(caller);
  });
  return mine;
}

/** Each caller's last big decode (settled): the next one starts after it. */
const bigDecodes = new Map<string, Promise<void>>();

async function sliced(decode: (z: Float32Array) => Promise<Images>, z: Float32Array, latentDim: number, model: () => unknown): Promise<Images> {
  const n = z.length / latentDim;
  const slices = Math.ceil(n / DECODE_SLICE_VECTORS);
  const perSlice = Math.ceil(n / slices);
  const openModel = model();
  const parts: Images[] = [];
  for (let start = 0; start < n; start += perSlice) {
    parts.push(await decode(z.slice(start * latentDim, Math.min(n, start + perSlice) * latentDim)));
    if (model() !== openModel) throw new ContractError('stale', 'another model was opened while this decode ran: decode again');
  }
  const { height, width, channels } = parts[0];
  if (parts.some((p) => p.height !== height || p.width !== width || p.channels !== channels)) {
    throw new ContractError('stale', 'the model changed while this decode ran: decode again');
  }
  const pixels = new Uint8Array(parts.reduce((sum, p) => sum + p.pixels.length, 0));
  let offset = 0;
  for (const p of parts) {
    pixels.set(p.pixels, offset);
    offset += p.pixels.length;
  }
  return { count: n, height, width, channels, pixels };
}
