/**
 * The in-memory dataset every part of the engine works on: uint8 pixels (HWC, row-major), labels,
 * a train/test split and a fingerprint that models record.
 */
import { createHash } from 'node:crypto';

export type DatasetSource = { kind: 'mnist' } | { kind: 'folder'; path: string };

export interface Dataset {
  /** Human-readable: "MNIST" or the folder's name. */
  name: string;
  source: DatasetSource;
  height: number;
  width: number;
  channels: 1 | 3;
  count: number;
  /** count × height × width × channels bytes. */
  pixels: Uint8Array;
  /** One per image; −1 where the image has no label. */
  labels: Int32Array;
  labelNames: string[];
  /** Per image, where it came from (a relative file path for folders). Optional for MNIST. */
  files?: string[];
  /** Small previews for the 3D view, `thumbSize`² × channels bytes each; MNIST uses the pixels. */
  thumbnails?: { size: number; pixels: Uint8Array };
  split: { train: Uint32Array; test: Uint32Array };
  /** sha256 of the source identity, preprocessing settings and content summary. */
  fingerprint: string;
}

export function imageBytes(d: Pick<Dataset, 'height' | 'width' | 'channels'>): number {
  return d.height * d.width * d.channels;
}

/** Copies the images at `indices` into one contiguous block. */
export function gatherImages(d: Dataset, indices: ArrayLike<number>, from = 0, to = indices.length): Uint8Array {
  const size = imageBytes(d);
  const out = new Uint8Array((to - from) * size);
  for (let i = from; i < to; i++) {
    const src = indices[i] * size;
    out.set(d.pixels.subarray(src, src + size), (i - from) * size);
  }
  return out;
}

/** Keeps the first `limit` images of each split (for quick runs); the fingerprint notes the limit. */
export function limitDataset(d: Dataset, limit: number | undefined): Dataset {
  if (!limit || limit <= 0) return d;
  const train = d.split.train.subarray(0, Math.min(limit, d.split.train.length));
  const test = d.split.test.subarray(0, Math.min(limit, d.split.test.length));
  return { ...d, split: { train, test }, fingerprint: sha256(`${d.fingerprint}|limit=${limit}`) };
}

/**
 * Only the images at `ids` (dataset indices): each split keeps its members among them, so held-out
 * images stay held out. A subset with no held-out image is tested on its training images.
 */
export function subsetDataset(d: Dataset, ids: ArrayLike<number>): Dataset {
  const wanted = new Uint8Array(d.count);
  for (let i = 0; i < ids.length; i++) if (ids[i] >= 0 && ids[i] < d.count) wanted[ids[i]] = 1;
  const train = d.split.train.filter((i) => wanted[i] === 1);
  if (train.length === 0) throw new Error('the chosen images hold no training image (all are held out for testing): choose more images');
  const test = d.split.test.filter((i) => wanted[i] === 1);
  const key = sha256(Array.from(train).join(',') + '|' + Array.from(test).join(','));
  return { ...d, split: { train, test: test.length ? test : train }, fingerprint: sha256(`${d.fingerprint}|subset=${key}`) };
}

/** A seeded split: `testFraction` of a seeded permutation goes to test. */
export function seededSplit(count: number, testFraction: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  const order = seededPermutation(count, seed);
  const nTest = Math.round(count * testFraction);
  return { test: order.slice(0, nTest).sort(), train: order.slice(nTest).sort() };
}

export function seededPermutation(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let s = (seed >>> 0) ^ 0x85ebca6b;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
