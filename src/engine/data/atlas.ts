/** Thumbnail sprite atlases of a dataset: the images the explorer shows when the pointer is over a point. */
import type { Dataset } from './dataset';
import { ATLAS_COLUMNS, ATLAS_MAX_THUMB, ATLAS_PAGE_SIZE, type Atlas } from '../../shared/explorer-schemas';

/** The thumbnail side for a dataset: its own size up to ATLAS_MAX_THUMB. */
export function thumbSize(dataset: Dataset): number {
  if (dataset.thumbnails) return dataset.thumbnails.size;
  return Math.min(ATLAS_MAX_THUMB, Math.max(dataset.height, dataset.width));
}

/** Page `page` of the dataset's thumbnails: ATLAS_PAGE_SIZE cells in an ATLAS_COLUMNS-wide grid. */
export function atlasPage(dataset: Dataset, page: number): Atlas {
  const first = page * ATLAS_PAGE_SIZE;
  if (first >= dataset.count) throw new Error(`atlas page ${page} is past the dataset's ${dataset.count} images`);
  const count = Math.min(ATLAS_PAGE_SIZE, dataset.count - first);
  const cols = ATLAS_COLUMNS;
  const rows = Math.ceil(count / cols);
  const t = thumbSize(dataset);
  const c = dataset.channels;
  const width = cols * t;
  const pixels = new Uint8Array(rows * t * width * c);
  const { height: h, width: w } = dataset;
  const source = dataset.thumbnails;
  for (let n = 0; n < count; n++) {
    const i = first + n;
    const x0 = (n % cols) * t;
    const y0 = Math.floor(n / cols) * t;
    if (source) {
      const size = source.size * source.size * c;
      const img = source.pixels.subarray(i * size, (i + 1) * size);
      for (let y = 0; y < t; y++) pixels.set(img.subarray(y * t * c, (y + 1) * t * c), ((y0 + y) * width + x0) * c);
      continue;
    }
    const img = dataset.pixels.subarray(i * h * w * c, (i + 1) * h * w * c);
    if (h === t && w === t) {
      for (let y = 0; y < t; y++) pixels.set(img.subarray(y * w * c, (y + 1) * w * c), ((y0 + y) * width + x0) * c);
      continue;
    }
    // Box filter: each thumbnail pixel averages the source pixels it covers.
    for (let ty = 0; ty < t; ty++) {
      const sy0 = Math.floor((ty * h) / t);
      const sy1 = Math.max(sy0 + 1, Math.floor(((ty + 1) * h) / t));
      for (let tx = 0; tx < t; tx++) {
        const sx0 = Math.floor((tx * w) / t);
        const sx1 = Math.max(sx0 + 1, Math.floor(((tx + 1) * w) / t));
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) sum += img[(sy * w + sx) * c + ch];
          pixels[((y0 + ty) * width + x0 + tx) * c + ch] = Math.round(sum / ((sy1 - sy0) * (sx1 - sx0)));
        }
      }
    }
  }
  return { page, first, count, cols, rows, thumb: t, channels: c, pixels };
}
