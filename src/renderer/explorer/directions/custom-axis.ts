/**
 * A custom axis of the view (TensorBoard's projector has them): a linear projection whose x axis is a
 * chosen direction (a slider's, or latent arithmetic's A→B) and whose y and z are the data's top
 * principal axes made orthogonal to it and to each other (Gram–Schmidt). Being linear and
 * orthonormal, it is shown and inverted exactly as PCA is (shared/projection.ts, view-inverse.ts).
 */
import type { Projection } from '../../../shared/contract';
import type { PrincipalDirections } from './principal-directions';

/** Below this norm a direction is taken to lie in the span of the axes already chosen. */
const DEPENDENT = 1e-6;

/** The projection with x = direction/|direction|, or an error when the direction is zero or of another size. */
export function customAxisProjection(direction: ArrayLike<number>, global: PrincipalDirections): Projection | { error: string } {
  const d = global.latentDim;
  if (direction.length !== d) return { error: `the direction has ${direction.length} numbers, the latent space ${d}` };
  const axes: Float64Array[] = [];
  for (const candidate of [Float64Array.from(direction), ...global.axes]) {
    if (axes.length === 3) break;
    const v = Float64Array.from(candidate);
    for (const a of axes) {
      const dot = v.reduce((s, x, j) => s + x * a[j], 0);
      for (let j = 0; j < d; j++) v[j] -= dot * a[j];
    }
    const length = Math.hypot(...v);
    if (length < DEPENDENT) {
      if (axes.length === 0) return { error: 'the direction is zero: pick two different points or groups' };
      continue;
    }
    axes.push(v.map((x) => x / length));
  }
  // d < 3: the missing axes are flat (every point has 0 there).
  while (axes.length < 3) axes.push(new Float64Array(d));
  // The share of the data's variance along each axis: Σᵢ σᵢ²(a·vᵢ)² / Σᵢ σᵢ².
  const total = global.sigmas.reduce((s, sigma) => s + sigma * sigma, 0) || 1;
  const explained = axes.map((a) => global.axes.reduce((s, v, i) => s + global.sigmas[i] ** 2 * a.reduce((t, x, j) => t + x * v[j], 0) ** 2, 0) / total);
  return { kind: 'pca', latentDim: d, mean: Array.from(global.mean), axes: axes.map((a) => Array.from(a)), explained };
}
