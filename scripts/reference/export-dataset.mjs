#!/usr/bin/env node
/**
 * Writes a dataset exactly as the app sees it (its ingest: size, colour, fit, and its seeded train/test
 * split) as raw files, so the PyTorch reference trains and is scored on the same pixels and split:
 *
 *   node scripts/reference/export-dataset.mjs /work/data/icons 32 rgb /work/data/icons-32-rgb [SPLIT_SEED]
 *
 * SPLIT_SEED (default 0) is the app run's --seed: the CLI seeds the folder's split with it.
 *
 * OUT/meta.json {count, height, width, channels, labelNames}, OUT/pixels.u8 (count×H×W×C, HWC),
 * OUT/labels.i32, OUT/train.u32, OUT/test.u32.
 */
import { register } from 'tsx/esm/api';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

register();
// SPLIT_SEED must be the app run's --seed: the CLI's --seed also seeds the folder's train/test split.
const [folder, size = '32', color = 'rgb', out, splitSeed = '0'] = process.argv.slice(2);
if (!folder || !out || !/^\d+$/.test(splitSeed)) {
  console.error('usage: node scripts/reference/export-dataset.mjs FOLDER SIZE gray|rgb OUT_DIR [SPLIT_SEED]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadDataset } = await import(join(root, 'src', 'engine', 'data', 'load.ts'));
const { dataset: d } = await loadDataset(folder, { size: Number(size), color, fit: 'cover', seed: Number(splitSeed) });
await mkdir(out, { recursive: true });
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
await writeFile(
  join(out, 'meta.json'),
  JSON.stringify(
    { name: d.name, count: d.count, height: d.height, width: d.width, channels: d.channels, labelNames: d.labelNames, fingerprint: d.fingerprint },
    null,
    2,
  ),
);
await writeFile(join(out, 'pixels.u8'), d.pixels);
await writeFile(join(out, 'labels.i32'), bytes(d.labels));
await writeFile(join(out, 'train.u32'), bytes(d.split.train));
await writeFile(join(out, 'test.u32'), bytes(d.split.test));
console.log(JSON.stringify({ out, count: d.count, train: d.split.train.length, test: d.split.test.length }));
