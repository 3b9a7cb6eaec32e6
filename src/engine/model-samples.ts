/**
 * A model's sample strip for the library: images decoded from z ~ N(0, I) by a model folder loaded on
 * the side. The session's open model, dataset and embeddings are not touched, and the side model's
 * weights are disposed before the answer leaves, so the engine holds no more tensors than before.
 */
import type { Images } from '../shared/contract';
import { seedSequence } from './model/vae';
import { loadModel } from './train/checkpoint';

/** n standard normal numbers from `seed` (Box–Muller over mulberry32): the same on every backend. */
export function standardNormals(n: number, seed: number): Float32Array {
  const uniform = seedSequence(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - uniform(); // in (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}

export async function modelSamples(dir: string, count: number, seed: number): Promise<Images> {
  const { vae } = await loadModel(dir);
  try {
    const c = vae.config;
    // decodeToPixels decodes inside tf.tidy and disposes its result; the weights go in `finally`.
    const pixels = vae.decodeToPixels(standardNormals(count * c.latentDim, seed), count);
    return { count, height: c.height, width: c.width, channels: c.channels, pixels };
  } finally {
    vae.dispose();
  }
}
