/**
 * What the explorer shows of a model — every image's latent mean μ, and, once computed, its
 * reconstruction error (nats and RMS levels) and KL — stored beside the model as points.bin, so a model opens with its
 * cloud on screen at once instead of re-encoding the dataset (70,000 MNIST images take seconds).
 *
 * The file is valid only for the exact weights (their sha256 from manifest.json) and the exact
 * dataset (its fingerprint); anything else is ignored and recomputed. Written atomically (a temp
 * file renamed), and only where the model's folder is writable: a shipped model's folder may not be.
 *
 * Layout: "LSPC" | u32 LE header length | header JSON | zero padding to 4 | float32 arrays.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../node/files';

export const POINT_CACHE_FILE = 'points.bin';
const MAGIC = 'LSPC';
const FORMAT = 1;

export interface PointCacheKey {
  weightsSha256: string;
  fingerprint: string;
  count: number;
  latentDim: number;
}

export interface PointCacheData {
  /** count × latentDim. */
  mu: Float32Array;
  recon: Float32Array | null;
  kl: Float32Array | null;
  /** Absent from files written before the RMS error was measured: the statistics are then computed again. */
  rmse?: Float32Array | null;
}

interface Header extends PointCacheKey {
  format: number;
  arrays: { name: 'mu' | 'recon' | 'kl' | 'rmse'; offset: number; length: number }[];
}

export function encodePointCache(key: PointCacheKey, data: PointCacheData): Uint8Array {
  const arrays: Header['arrays'] = [];
  let offset = 0;
  for (const name of ['mu', 'recon', 'kl', 'rmse'] as const) {
    const a = data[name];
    if (!a) continue;
    arrays.push({ name, offset, length: a.length });
    offset += a.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ format: FORMAT, ...key, arrays } satisfies Header));
  const start = (8 + header.byteLength + 3) & ~3;
  const out = new Uint8Array(start + offset * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.byteLength, true);
  out.set(header, 8);
  const floats = new Float32Array(out.buffer, start, offset);
  for (const entry of arrays) floats.set(data[entry.name]!, entry.offset);
  return out;
}

/** The cached points when the file matches `key` exactly; null otherwise (missing, stale, foreign). */
export function decodePointCache(bytes: Uint8Array, key: PointCacheKey): PointCacheData | null {
  if (bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) return null;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.byteLength) return null;
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Header;
  } catch {
    return null;
  }
  if (
    header.format !== FORMAT ||
    header.weightsSha256 !== key.weightsSha256 ||
    header.fingerprint !== key.fingerprint ||
    header.count !== key.count ||
    header.latentDim !== key.latentDim
  )
    return null;
  const start = (8 + length + 3) & ~3;
  const total = (bytes.byteLength - start) / 4;
  // Copy into an aligned buffer of our own (the file's bytes may sit at any offset).
  const floats = new Float32Array(bytes.slice(start, start + Math.floor(total) * 4).buffer);
  const out: PointCacheData = { mu: new Float32Array(0), recon: null, kl: null, rmse: null };
  for (const entry of header.arrays ?? []) {
    if (entry.offset + entry.length > floats.length) return null;
    out[entry.name] = floats.subarray(entry.offset, entry.offset + entry.length);
  }
  if (out.mu.length !== key.count * key.latentDim) return null;
  for (const name of ['recon', 'kl', 'rmse'] as const) if (out[name] && out[name]!.length !== key.count) return null;
  return out;
}

export async function readPointCache(dir: string, key: PointCacheKey): Promise<PointCacheData | null> {
  const bytes = await readFile(join(dir, POINT_CACHE_FILE)).catch(() => null);
  return bytes ? decodePointCache(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), key) : null;
}

/** Best effort: false when the folder is not writable (a shipped model), true when written. */
export async function writePointCache(dir: string, key: PointCacheKey, data: PointCacheData): Promise<boolean> {
  try {
    await writeFileAtomic(join(dir, POINT_CACHE_FILE), encodePointCache(key, data), { createFolder: false });
    return true;
  } catch {
    return false;
  }
}
