import { describe, expect, it } from 'vitest';
import { Matrix, QrDecomposition, determinant, inverse } from 'ml-matrix';
import {
  DensityView,
  LatentDensityJsonSchema,
  LatentDensitySchema,
  densityFromJson,
  densityLogPdf,
  densityToJson,
  sampleDensity,
  seededUniform,
  type LatentDensity,
} from '../../../src/shared/latent-density';
import { project, type LinearProjectionLike } from '../../../src/shared/projection';

/** A random symmetric positive definite d × d matrix A·Aᵀ + d·I/4, row-major. */
function randomCovariance(d: number, next: () => number): number[] {
  const a = Matrix.from1DArray(
    d,
    d,
    Array.from({ length: d * d }, () => next() - 0.5),
  );
  return a
    .mmul(a.transpose())
    .add(Matrix.eye(d).mul(d / 4))
    .to1DArray();
}

function mixture(d: number, k: number, seed: number): LatentDensity {
  const next = seededUniform(seed);
  const raw = Array.from({ length: k }, () => 0.2 + next());
  const sum = raw.reduce((a, b) => a + b, 0);
  return {
    dim: d,
    weights: Float64Array.from(raw, (w) => w / sum),
    means: Float64Array.from({ length: k * d }, () => 4 * (next() - 0.5)),
    covariances: Float64Array.from(Array.from({ length: k }, () => randomCovariance(d, next)).flat()),
    heldOutLogLikelihood: null,
    fittedOn: 0,
  };
}

/** Three orthonormal axes in d dimensions (QR of a random matrix) and a mean: a PCA-like view. */
function randomView(d: number, seed: number): LinearProjectionLike {
  const next = seededUniform(seed);
  const q = new QrDecomposition(
    Matrix.from1DArray(
      d,
      3,
      Array.from({ length: d * 3 }, () => next() - 0.5),
    ),
  ).orthogonalMatrix;
  return { latentDim: d, mean: Array.from({ length: d }, () => next() - 0.5), axes: [0, 1, 2].map((k) => q.getColumn(k)) };
}

const component = (v: LatentDensity, c: number) => ({
  mean: Matrix.columnVector(Array.from(v.means.subarray(c * v.dim, (c + 1) * v.dim))),
  cov: Matrix.from1DArray(v.dim, v.dim, Array.from(v.covariances.subarray(c * v.dim * v.dim, (c + 1) * v.dim * v.dim))),
});

/** Component c's conditional mean and view log-density, written out directly with ml-matrix's inverse. */
function direct(v: LatentDensity, view: LinearProjectionLike, p: number[], c: number) {
  const { mean, cov } = component(v, c);
  const V = new Matrix(view.axes as number[][]).transpose(); // d × 3
  const m = Matrix.columnVector(Array.from(view.mean));
  const a = V.transpose().mmul(mean.clone().sub(m));
  const S = V.transpose().mmul(cov).mmul(V);
  const diff = Matrix.columnVector(p).sub(a);
  const conditional = mean.clone().add(cov.mmul(V).mmul(inverse(S)).mmul(diff));
  const quad = diff.transpose().mmul(inverse(S)).mmul(diff).get(0, 0);
  const logPdf = -0.5 * (3 * Math.log(2 * Math.PI) + Math.log(determinant(S)) + quad);
  return { conditional: conditional.to1DArray(), logPdf };
}

describe('latent density: conditional means', () => {
  it('for one Gaussian, equal the closed form μ + ΣV(VᵀΣV)⁻¹(p − Vᵀ(μ − m))', () => {
    const v = mixture(6, 1, 3);
    const view = randomView(6, 4);
    const p = [0.7, -1.2, 0.4];
    const got = new DensityView(v, view).conditionalMean(p);
    const want = direct(v, view, p, 0).conditional;
    for (let j = 0; j < 6; j++) expect(got[j]).toBeCloseTo(want[j], 5);
  });

  it('for a mixture, equal the responsibility-weighted sum of the components’ closed forms', () => {
    const v = mixture(5, 3, 11);
    const view = randomView(5, 12);
    const p = [0.3, 0.9, -0.5];
    const parts = [0, 1, 2].map((c) => direct(v, view, p, c));
    const logs = parts.map((part, c) => Math.log(v.weights[c]) + part.logPdf);
    const max = Math.max(...logs);
    const resp = logs.map((l) => Math.exp(l - max));
    const total = resp.reduce((a, b) => a + b, 0);
    const want = new Array(5).fill(0);
    parts.forEach((part, c) => part.conditional.forEach((x, j) => (want[j] += (resp[c] / total) * x)));
    const dv = new DensityView(v, view);
    const got = dv.conditionalMean(p);
    for (let j = 0; j < 5; j++) expect(got[j]).toBeCloseTo(want[j], 5);
    // The responsibilities are not all on one component, so the weighting is what is tested.
    const r = dv.responsibilities(p);
    expect(Math.max(...r)).toBeLessThan(0.999);
    expect(dv.logDensity(p)).toBeCloseTo(max + Math.log(total), 6);
  });

  it('land on the clicked view point (Vᵀ(z − m) = p)', () => {
    const v = mixture(8, 4, 21);
    const view = randomView(8, 22);
    const p = [1.5, -0.2, 2.1];
    const z = new DensityView(v, view).conditionalMean(p);
    const back = project(view, z, 1);
    for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(p[a], 4);
  });

  it('are the point itself when the view shows every dimension (identity, d = 3 and d = 2)', () => {
    const v3 = mixture(3, 2, 5);
    const identity3 = {
      latentDim: 3,
      mean: [0, 0, 0],
      axes: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    };
    const z3 = new DensityView(v3, identity3).conditionalMean([0.25, -3, 7]);
    expect(Array.from(z3)).toEqual([0.25, -3, 7].map((x) => expect.closeTo(x, 5)));
    const v2 = mixture(2, 2, 6);
    const identity2 = {
      latentDim: 2,
      mean: [0, 0],
      axes: [
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    };
    const z2 = new DensityView(v2, identity2).conditionalMean([1.5, -0.5, 0]);
    expect(Array.from(z2)).toEqual([1.5, -0.5].map((x) => expect.closeTo(x, 5)));
  });

  it('in a flat view fix two coordinates and fill in the third', () => {
    const v = mixture(6, 1, 31);
    const view = randomView(6, 32);
    const flat = new DensityView(v, view, 2);
    expect(flat.observed).toEqual([0, 1]);
    const z = flat.conditionalMean([0.5, 0.5, 99]);
    const back = project(view, z, 1);
    expect(back[0]).toBeCloseTo(0.5, 4);
    expect(back[1]).toBeCloseTo(0.5, 4);
    expect(Math.abs(back[2] - 99)).toBeGreaterThan(10); // the ignored coordinate is not imposed
  });

  it('say how far a view point is from the data', () => {
    const v = mixture(4, 1, 41);
    const view = randomView(4, 42);
    const dv = new DensityView(v, view);
    const centre = project(view, v.means, 1);
    expect(dv.mahalanobis(centre)).toBeCloseTo(0, 6);
    const far = [centre[0] + 50, centre[1], centre[2]];
    expect(dv.mahalanobis(far)).toBeGreaterThan(5);
    expect(dv.logDensity(far)).toBeLessThan(dv.logDensity(centre) - 10);
  });
});

describe('latent density: log-density and sampling', () => {
  it('log p(z) is the log of the weighted sum of Gaussian densities', () => {
    const v = mixture(3, 2, 51);
    const z = [0.1, 0.2, -0.3];
    let total = 0;
    for (let c = 0; c < 2; c++) {
      const { mean, cov } = component(v, c);
      const diff = Matrix.columnVector(z).sub(mean);
      const quad = diff.transpose().mmul(inverse(cov)).mmul(diff).get(0, 0);
      total += (v.weights[c] * Math.exp(-0.5 * quad)) / Math.sqrt((2 * Math.PI) ** 3 * determinant(cov));
    }
    expect(densityLogPdf(v, z)).toBeCloseTo(Math.log(total), 8);
  });

  it('draws the same points from the same seed, others from another', () => {
    const v = mixture(4, 3, 61);
    expect(sampleDensity(v, 50, 7)).toEqual(sampleDensity(v, 50, 7));
    expect(sampleDensity(v, 50, 8)).not.toEqual(sampleDensity(v, 50, 7));
  });

  it('draws points with the mixture’s mean and covariance', () => {
    const v = mixture(3, 2, 71);
    const n = 40_000;
    const draws = sampleDensity(v, n, 1);
    const d = 3;
    // The mixture's moments: E z = Σ wₖμₖ, Cov z = Σ wₖ(Σₖ + μₖμₖᵀ) − E z E zᵀ.
    const mean = [0, 1, 2].map((j) => v.weights[0] * v.means[j] + v.weights[1] * v.means[d + j]);
    const second = (a: number, b: number) =>
      [0, 1].reduce((s, c) => s + v.weights[c] * (v.covariances[c * 9 + a * 3 + b] + v.means[c * d + a] * v.means[c * d + b]), 0);
    const got = [0, 1, 2].map((j) => draws.filter((_, i) => i % d === j).reduce((s, x) => s + x, 0) / n);
    for (let j = 0; j < d; j++) expect(got[j]).toBeCloseTo(mean[j], 1);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (draws[i * d + a] - got[a]) * (draws[i * d + b] - got[b]);
        const want = second(a, b) - mean[a] * mean[b];
        expect(Math.abs(s / n - want)).toBeLessThan(0.05 * Math.max(1, Math.abs(want)));
      }
    }
  });
});

describe('latent density: schemas', () => {
  it('round-trips through the manifest’s JSON form', () => {
    const v = { ...mixture(3, 2, 81), heldOutLogLikelihood: -4.5, fittedOn: 100 };
    const json = JSON.parse(JSON.stringify(densityToJson(v)));
    const back = densityFromJson(LatentDensityJsonSchema.parse(json));
    expect(back).toEqual(v);
    expect(LatentDensitySchema.parse(back)).toEqual(v);
  });

  it('refuses a density that is not one, saying why', () => {
    const v = mixture(2, 2, 91);
    const fail = (x: unknown) => LatentDensitySchema.safeParse(x).error?.issues[0].message;
    expect(fail({ ...v, weights: Float64Array.of(0.5, 0.6) })).toMatch(/sum to 1/);
    expect(fail({ ...v, means: new Float64Array(3) })).toMatch(/means hold 3 numbers/);
    const notPd = Float64Array.from(v.covariances);
    notPd.set([1, 2, 2, 1], 4);
    expect(fail({ ...v, covariances: notPd })).toMatch(/covariance 2 is not positive definite/);
    const asym = Float64Array.from(v.covariances);
    asym[1] += 0.5;
    expect(fail({ ...v, covariances: asym })).toMatch(/not symmetric/);
    expect(fail({ ...v, extra: 1 })).toBeDefined();
    expect(fail({ ...v, means: Array.from(v.means) })).toMatch(/Float64Array/);
  });

  it('accepts a covariance asymmetric within the tolerance and samples and scores it (found by the manifest fuzz)', () => {
    const v = mixture(3, 2, 95);
    const nearly = Float64Array.from(v.covariances);
    nearly[1] += 5e-10; // component 1, entry (0, 1): its mirror (1, 0) keeps the old value
    const parsed = LatentDensitySchema.safeParse({ ...v, covariances: nearly });
    expect(parsed.error?.issues[0].message).toBeUndefined();
    const z = sampleDensity({ ...v, covariances: nearly }, 4, 3);
    expect(z).toHaveLength(12);
    expect(Number.isFinite(densityLogPdf({ ...v, covariances: nearly }, z.subarray(0, 3)))).toBe(true);
  });
});
