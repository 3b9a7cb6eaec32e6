/**
 * The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian (mean and
 * covariance): d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}), the figure FID reports in Inception
 * features (Heusel et al., 2017); here the features are the feature net's (feature-net.ts).
 *
 * Everything runs in float64 in plain JavaScript (a 128 × 128 covariance is a few milliseconds), so the
 * figure does not depend on the tfjs backend. Σ₁Σ₂ is not symmetric, and a general square root of it
 * (what scipy's sqrtm does) can come out complex when the product is near singular; the trace only needs
 * the eigenvalues, and Σ₁Σ₂ has the same ones as the symmetric positive semi-definite
 * Σ₁^{1/2} Σ₂ Σ₁^{1/2}, so both roots come from symmetric eigendecompositions with the rounding's tiny
 * negative eigenvalues clamped to zero.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A set of `count` feature vectors of length `dim`, row-major. */
export interface FeatureSet {
  values: ArrayLike<number>;
  count: number;
  dim: number;
}

/** The Gaussian a feature set is summarised by: its mean and its unbiased (n − 1) covariance, as numpy's cov. */
export interface FeatureStats {
  mean: Float64Array;
  /** dim × dim, row-major. */
  cov: Float64Array;
  dim: number;
  count: number;
}

export function featureStats({ values, count, dim }: FeatureSet): FeatureStats {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`feature statistics need a dimension of at least 1, got ${dim}`);
  if (!Number.isInteger(count) || count < 2) throw new Error(`feature statistics need at least 2 vectors, got ${count}`);
  if (values.length !== count * dim) throw new Error(`expected ${count} × ${dim} = ${count * dim} values, got ${values.length}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) {
      const v = values[i * dim + j];
      if (!Number.isFinite(v)) throw new Error(`feature vector ${i} has a non-finite value (${v})`);
      centred[j] = v - mean[j];
    }
    // Upper triangle only; mirrored below.
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (count - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { mean, cov, dim, count };
}

function toMatrix(flat: Float64Array, dim: number): Matrix {
  const m = new Matrix(dim, dim);
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) m.set(a, b, flat[a * dim + b]);
  return m;
}

/** The symmetric positive semi-definite square root of a symmetric matrix (negative eigenvalues from rounding clamped to 0). */
function symmetricSqrt(m: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const roots = evd.realEigenvalues.map((l) => Math.sqrt(Math.max(0, l)));
  return v.mmul(Matrix.diag(roots)).mmul(v.transpose());
}

/** Tr((Σ₁ Σ₂)^{1/2}) as the sum of the square roots of the eigenvalues of Σ₁^{1/2} Σ₂ Σ₁^{1/2}. */
function traceSqrtProduct(cov1: Matrix, cov2: Matrix): number {
  const root1 = symmetricSqrt(cov1);
  const inner = root1.mmul(cov2).mmul(root1);
  // Symmetrise: the products above leave it asymmetric in the last bits, and the solver assumes symmetry.
  const symmetric = inner.add(inner.transpose()).mul(0.5);
  const evd = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  return evd.realEigenvalues.reduce((sum, l) => sum + Math.sqrt(Math.max(0, l)), 0);
}

/** The Fréchet distance (d², as FID reports it) between two Gaussians; never below 0. */
export function frechetDistanceOfStats(a: FeatureStats, b: FeatureStats): number {
  if (a.dim !== b.dim) throw new Error(`feature sets differ in dimension: ${a.dim} and ${b.dim}`);
  const dim = a.dim;
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  let traces = 0;
  for (let j = 0; j < dim; j++) traces += a.cov[j * dim + j] + b.cov[j * dim + j];
  const cross = traceSqrtProduct(toMatrix(a.cov, dim), toMatrix(b.cov, dim));
  return Math.max(0, meanTerm + traces - 2 * cross);
}

/** The Fréchet distance between two sets of feature vectors. */
export function frechetDistance(a: FeatureSet, b: FeatureSet): number {
  return frechetDistanceOfStats(featureStats(a), featureStats(b));
}
