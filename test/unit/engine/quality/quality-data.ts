/** Small synthetic datasets for the sample-quality tests: two kinds of 8×8 images, with or without labels. */
import { seedSequence } from '../../../../src/engine/model/vae';
import type { Dataset } from '../../../../src/engine/data/dataset';

/** `count` 8×8 gray images: label 0 bright on the top half, label 1 on the left half, with seeded noise. */
export function twoKindDataset(count: number, options: { labelled?: boolean; seed?: number; folder?: string } = {}): Dataset {
  const side = 8;
  const next = seedSequence(options.seed ?? 1);
  const pixels = new Uint8Array(count * side * side);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const kind = i % 2;
    labels[i] = options.labelled === false ? -1 : kind;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const bright = kind === 0 ? y < side / 2 : x < side / 2;
        pixels[i * side * side + y * side + x] = Math.round((bright ? 180 : 40) + 60 * next());
      }
    }
  }
  const test = Uint32Array.from({ length: Math.floor(count / 5) }, (_, i) => i * 5);
  const train = Uint32Array.from({ length: count }, (_, i) => i).filter((i) => i % 5 !== 0);
  return {
    name: 'two kinds',
    source: options.folder ? { kind: 'folder', path: options.folder } : { kind: 'mnist' },
    height: side,
    width: side,
    channels: 1,
    count,
    pixels,
    labels,
    labelNames: options.labelled === false ? [] : ['top', 'left'],
    split: { train, test },
    fingerprint: `two-kinds-${count}-${options.labelled ?? true}-${options.seed ?? 1}`,
  };
}
