import sharp from 'sharp';
import { parseArgs } from 'node:util';
import { loadModel } from '../../engine/train/checkpoint';
import { sampleInBatches } from '../../engine/model/decode-batches';
import { COMMON_OPTIONS, required, startBackend } from '../common';
import { createOutput, intOption } from '../io';
import { tileImages } from '../../engine/export/grid';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      model: { type: 'string' },
      n: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
    },
  });
  const out = createOutput(Boolean(values.json));
  const dir = required('model', values.model);
  const file = required('out', values.out);
  if (!file.toLowerCase().endsWith('.png')) throw new Error(`--out must name a .png file, got "${file}"`);
  const n = intOption('n', values.n, 64, 1, 4096);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const scale = intOption('scale', values.scale, 1, 1, 8);
  const backend = await startBackend(values.backend, out);
  const { vae } = await loadModel(dir);
  try {
    // Decoded a batch at a time under the activation budget: 64 images of a 512² model would not fit at once.
    const pixels = sampleInBatches(vae, n, seed);
    const { height, width, channels } = vae.config;
    const grid = tileImages(pixels, n, width, height, channels, scale);
    await sharp(grid.pixels, { raw: { width: grid.width, height: grid.height, channels } })
      .png()
      .toFile(file);
    out.final({ out: file, n, width: grid.width, height: grid.height, backend: backend.name });
  } finally {
    vae.dispose();
  }
}
