/**
 * A model's sample strip for the library: images decoded from random latents drawn from the model's
 * fitted latent density (N(0, I) for a model without one), by a model folder loaded on the side. The
 * session's open model, dataset and embeddings are not touched, and the side model's weights are
 * disposed before the answer leaves, so the engine holds no more tensors than before.
 */
import type { Images } from '../shared/contract';
import { manifestDensity } from './latent/model-density';
import { drawLatents } from '../shared/latent-density';
import { loadModel } from './train/checkpoint';

export { standardNormals } from '../shared/latent-density';

export async function modelSamples(dir: string, count: number, seed: number): Promise<Images> {
  const { vae, manifest } = await loadModel(dir);
  try {
    const c = vae.config;
    // decodeToPixels decodes inside tf.tidy and disposes its result; the weights go in `finally`.
    const { z } = drawLatents(manifestDensity(manifest), c.latentDim, count, seed);
    const pixels = await vae.decodeToPixels(z, count);
    return { count, height: c.height, width: c.width, channels: c.channels, pixels };
  } finally {
    vae.dispose();
  }
}
