/**
 * The trained feature net, cached per dataset: training it costs seconds to minutes, and every figure
 * measured in it must use the same weights. The cache lives where the ingest cache does (the app's
 * cache folder, <XDG_CACHE_HOME or ~/.cache>/latentscape/features), never in the user's image folder.
 *
 * One file per key: sha256 of (feature net version, dataset fingerprint, image shape, seed, training
 * settings). Layout: "LSFEATN1" | u32le header length | header JSON | float32 weights. The header holds
 * the key, the net's config and the weights' sha256; a file that fails any check is ignored and the net
 * retrained, so a damaged cache costs time, never a wrong figure.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { appCacheDir } from '../../node/cache-dir';
import type { Dataset } from '../data/dataset';
import { writeFileAtomic } from '../../node/files';
import { readRegularFile } from '../../node/safe-read';
import {
  FEATURE_NET_VERSION,
  FEATURE_TRAINING,
  FeatureNet,
  parameterSpecs,
  trainFeatureNet,
  type FeatureNetConfig,
  type FeatureTrainingOptions,
} from './feature-net';

const MAGIC = Buffer.from('LSFEATN1', 'latin1');
/** A feature net for 512² RGB images is ~10 M floats; nothing bigger is one of ours. */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;

export function defaultFeatureCacheDir(): string {
  return join(appCacheDir(), 'features');
}

export function featureCacheKey(d: Dataset, options: Pick<FeatureTrainingOptions, 'seed' | 'epochs' | 'maxImages'>): string {
  const settings = {
    ...FEATURE_TRAINING,
    ...(options.epochs ? { epochs: options.epochs } : {}),
    ...(options.maxImages ? { maxImages: options.maxImages } : {}),
  };
  const identity = { version: FEATURE_NET_VERSION, fingerprint: d.fingerprint, shape: [d.height, d.width, d.channels], seed: options.seed, settings };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

interface CacheHeader {
  version: number;
  key: string;
  config: FeatureNetConfig;
  floats: number;
  sha256: string;
}

export async function encodeFeatureNet(net: FeatureNet, key: string): Promise<Uint8Array> {
  const weights = await net.weights();
  const floats = weights.reduce((n, w) => n + w.length, 0);
  const body = new Float32Array(floats);
  let at = 0;
  for (const w of weights) {
    body.set(w, at);
    at += w.length;
  }
  const bodyBytes = new Uint8Array(body.buffer);
  const header: CacheHeader = { version: FEATURE_NET_VERSION, key, config: net.config, floats, sha256: createHash('sha256').update(bodyBytes).digest('hex') };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad the header so the floats start on a 4-byte boundary.
  const headerLength = Math.ceil((12 + json.length) / 4) * 4 - 12;
  const out = new Uint8Array(12 + headerLength + bodyBytes.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(8, headerLength, true);
  out.fill(0x20, 12, 12 + headerLength);
  out.set(json, 12);
  out.set(bodyBytes, 12 + headerLength);
  return out;
}

/** The net in `bytes` when it is intact and made for `key`; null otherwise. */
export function decodeFeatureNet(bytes: Uint8Array, key: string): FeatureNet | null {
  try {
    if (bytes.length < 12 || !Buffer.from(bytes.subarray(0, 8)).equals(MAGIC)) return null;
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    if (12 + headerLength > bytes.length) return null;
    const header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + headerLength)).toString('utf8')) as CacheHeader;
    if (header?.version !== FEATURE_NET_VERSION || header.key !== key) return null;
    const specs = parameterSpecs(header.config);
    const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
    const floats = sizes.reduce((a, b) => a + b, 0);
    const body = bytes.subarray(12 + headerLength);
    if (header.floats !== floats || body.length !== floats * 4) return null;
    if (createHash('sha256').update(body).digest('hex') !== header.sha256) return null;
    // A copy (Buffer's slice is a view into a shared pool), aligned for the float view.
    const all = new Float32Array(new Uint8Array(body).buffer);
    if (!all.every(Number.isFinite)) return null;
    let at = 0;
    const values = sizes.map((n) => all.subarray(at, (at += n)));
    return FeatureNet.fromWeights(header.config, values);
  } catch {
    return null;
  }
}

/** A cache folder set inside the user's image folder (XDG_CACHE_HOME there, say) is not written to. */
function insideImageFolder(d: Dataset, path: string): boolean {
  if (d.source.kind !== 'folder') return false;
  const rel = relative(resolve(d.source.path), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export interface CachedFeatureNet {
  net: FeatureNet;
  cache: 'hit' | 'miss';
  /** Where the net is (or would have been) cached. */
  path: string;
}

/**
 * The dataset's feature net from the cache, or trained (and then cached). A cache folder that cannot be
 * written loses only the reuse: the figure is still measured, and `cache` says 'miss'.
 */
export async function loadOrTrainFeatureNet(d: Dataset, options: FeatureTrainingOptions & { cacheDir?: string }): Promise<CachedFeatureNet> {
  const key = featureCacheKey(d, options);
  const path = join(options.cacheDir ?? defaultFeatureCacheDir(), `${key.slice(0, 40)}.bin`);
  const bytes = await readRegularFile(path, { maxBytes: MAX_CACHE_BYTES, what: 'the feature net cache' }).catch(() => null);
  const cached = bytes ? decodeFeatureNet(bytes, key) : null;
  if (cached) return { net: cached, cache: 'hit', path };
  const net = await trainFeatureNet(d, options);
  if (!insideImageFolder(d, path)) await writeFileAtomic(path, await encodeFeatureNet(net, key)).catch(() => {});
  return { net, cache: 'miss', path };
}
