/**
 * A latent known only roughly, moved to where the data's density puts it. UMAP's inverse has no closed
 * form: a spot's latent is a blend of its neighbours' means, and a blend of far-apart means lies between
 * them, where the decoder saw no data. Reading the blend z̃ as a noisy observation of a latent z drawn
 * from the fitted density, z̃ = z + ε with ε ~ N(0, s²I) (s: how far the neighbours spread around z̃),
 * the latent to decode is E[z | z̃]. Per component k that is μₖ + Σₖ(Σₖ + s²I)⁻¹(z̃ − μₖ), and the
 * mixture weighs them by rₖ ∝ wₖ N(z̃; μₖ, Σₖ + s²I). Along each eigendirection of Σₖ the offset from
 * μₖ shrinks by λ/(λ + s²): the tighter the neighbours, the less the blend moves.
 */
import { choleskyFactor, componentCount, gaussianLogPdf, logSumExp, solveInPlace, type LatentDensity } from './latent-density';

/** E[z | z̃ = z + ε], z ~ `density`, ε ~ N(0, noiseVariance·I); z̃ itself when the variance is 0. */
export function densityPosteriorMean(density: LatentDensity, noisy: ArrayLike<number>, noiseVariance: number): Float32Array {
  const d = density.dim;
  if (noisy.length !== d) throw new Error(`a latent of size ${noisy.length} for a density of size ${d}`);
  if (!(noiseVariance > 0)) return Float32Array.from(noisy);
  const k = componentCount(density);
  const logs = new Float64Array(k);
  const means: Float64Array[] = [];
  const scratch = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const cov = density.covariances.subarray(c * d * d, (c + 1) * d * d);
    const widened = Float64Array.from(cov);
    for (let a = 0; a < d; a++) widened[a * d + a] += noiseVariance;
    const factor = choleskyFactor(widened, d);
    logs[c] = Math.log(density.weights[c]) + gaussianLogPdf(factor, noisy, density.means, c * d, scratch);
    // (Σ + s²I)⁻¹(z̃ − μ), then μ + Σ·that.
    const offset = Float64Array.from({ length: d }, (_, a) => noisy[a] - density.means[c * d + a]);
    solveInPlace(factor, offset);
    const mean = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = density.means[c * d + a];
      for (let b = 0; b < d; b++) s += cov[a * d + b] * offset[b];
      mean[a] = s;
    }
    means.push(mean);
  }
  const total = logSumExp(logs);
  const z = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const r = Math.exp(logs[c] - total);
    for (let a = 0; a < d; a++) z[a] += r * means[c][a];
  }
  return Float32Array.from(z);
}
