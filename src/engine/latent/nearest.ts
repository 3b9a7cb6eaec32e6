/** The dataset images nearest to a point of the latent space (in latent or in pixel space). */
import type { Dataset } from '../data/dataset';
import type { Vae } from '../model/vae';
import type { NearestAmong, NearestSpace } from '../../shared/vocabulary';

/** Keeps the k smallest (distance², id) pairs seen, sorted. */
class Best {
  readonly ids: Int32Array;
  readonly d2: Float64Array;
  constructor(readonly k: number) {
    this.ids = new Int32Array(k).fill(-1);
    this.d2 = new Float64Array(k).fill(Infinity);
  }
  get worst(): number {
    return this.d2[this.k - 1];
  }
  offer(id: number, s: number): void {
    if (s >= this.d2[this.k - 1]) return;
    let p = this.k - 1;
    while (p > 0 && this.d2[p - 1] > s) {
      this.d2[p] = this.d2[p - 1];
      this.ids[p] = this.ids[p - 1];
      p--;
    }
    this.d2[p] = s;
    this.ids[p] = id;
  }
  result(): { ids: Int32Array; distances: Float32Array } {
    const n = this.ids.findIndex((id) => id < 0);
    const len = n < 0 ? this.k : n;
    return { ids: this.ids.slice(0, len), distances: Float32Array.from(this.d2.subarray(0, len), Math.sqrt) };
  }
}

/**
 * The k images nearest to a latent point: by the distance of their μ to z ('latent'), or by the
 * pixel distance of the images to decode(z) ('pixel', in 0…1 intensity units); among every image
 * or only the training split.
 */
export async function nearestImages(
  args: { z: Float32Array; k: number; space: NearestSpace; among: NearestAmong },
  vae: Vae,
  dataset: Dataset,
  mu: Float32Array,
): Promise<{ ids: Int32Array; distances: Float32Array }> {
  const d = vae.config.latentDim;
  const candidates: ArrayLike<number> | null = args.among === 'train' ? dataset.split.train : null;
  const total = candidates ? candidates.length : dataset.count;
  const best = new Best(Math.max(1, Math.min(args.k, total)));
  if (args.space === 'latent') {
    for (let n = 0; n < total; n++) {
      const i = candidates ? candidates[n] : n;
      let s = 0;
      for (let j = 0; j < d && s < best.worst; j++) {
        const t = mu[i * d + j] - args.z[j];
        s += t * t;
      }
      best.offer(i, s);
    }
    return best.result();
  }
  const image = await vae.decodeToPixels(args.z, 1);
  const size = image.length;
  const pixels = dataset.pixels;
  for (let n = 0; n < total; n++) {
    const i = candidates ? candidates[n] : n;
    const base = i * size;
    let s = 0;
    // Stop summing once the image cannot be among the k best.
    for (let p = 0; p < size && s < best.worst; p++) {
      const t = pixels[base + p] - image[p];
      s += t * t;
    }
    best.offer(i, s);
  }
  const result = best.result();
  for (let i = 0; i < result.distances.length; i++) result.distances[i] /= 255;
  return result;
}
