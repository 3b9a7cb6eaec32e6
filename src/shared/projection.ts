/**
 * Linear maps between the latent space (d dims) and the 3D view, used by the engine (which fits
 * them) and the page (which applies and inverts them on every click and drag). Pure arithmetic.
 *
 * A linear projection is a mean m and three orthonormal axes V = [v₀ v₁ v₂] (d × 3):
 *   view p = Vᵀ(z − m)        latent z = m + V·p
 * so unproject(project(z)) is z's orthogonal projection onto the 3D subspace and
 * project(unproject(p)) = p exactly. For d ≤ 3 (identity) the view *is* the latent space.
 */
export interface LinearProjectionLike {
  latentDim: number;
  /** d numbers. */
  mean: ArrayLike<number>;
  /** 3 rows of d numbers. */
  axes: ArrayLike<ArrayLike<number>>;
}

/** count × d latents → count × 3 view coordinates. */
export function project(p: LinearProjectionLike, latents: ArrayLike<number>, count: number, out = new Float32Array(count * 3)): Float32Array {
  const d = p.latentDim;
  const mean = p.mean;
  const [a0, a1, a2] = [p.axes[0], p.axes[1], p.axes[2]];
  for (let i = 0; i < count; i++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const c = latents[base + j] - mean[j];
      s0 += c * a0[j];
      s1 += c * a1[j];
      s2 += c * a2[j];
    }
    out[i * 3] = s0;
    out[i * 3 + 1] = s1;
    out[i * 3 + 2] = s2;
  }
  return out;
}

/** A view point → the latent vector m + Σₖ pₖ·axisₖ. */
export function unproject(p: LinearProjectionLike, point: ArrayLike<number>): Float32Array {
  const z = new Float32Array(p.latentDim);
  for (let j = 0; j < p.latentDim; j++) {
    z[j] = p.mean[j] + point[0] * p.axes[0][j] + point[1] * p.axes[1][j] + point[2] * p.axes[2][j];
  }
  return z;
}

/**
 * Flips the sign of each axis of `next` that points away from the same axis of `previous`, so
 * successive fits (training snapshots, refits) do not mirror the cloud. Returns which were flipped.
 */
export function alignAxes(next: number[][], previous: ArrayLike<ArrayLike<number>> | null): boolean[] {
  return next.map((axis, k) => {
    const prev = previous?.[k];
    if (!prev || prev.length !== axis.length) return false;
    let dot = 0;
    for (let j = 0; j < axis.length; j++) dot += axis[j] * prev[j];
    if (dot >= 0) return false;
    for (let j = 0; j < axis.length; j++) axis[j] = -axis[j];
    return true;
  });
}
