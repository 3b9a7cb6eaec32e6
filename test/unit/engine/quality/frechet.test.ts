import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureStats, frechetDistance, frechetDistanceOfStats, type FeatureStats } from '../../../../src/engine/quality/frechet';

interface ReferenceCase {
  name: string;
  dim: number;
  a: number[];
  b: number[];
  a_count: number;
  b_count: number;
  fd: number;
}

// Written by test/fixtures/frechet/make_reference.py (pure-Python float64, Jacobi and Denman–Beavers).
const reference = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/frechet/reference.json'), 'utf8')) as { cases: ReferenceCase[] };

/** A Gaussian given directly by its mean and a diagonal covariance. */
function diagonalStats(mean: number[], variances: number[]): FeatureStats {
  const dim = mean.length;
  const cov = new Float64Array(dim * dim);
  variances.forEach((v, j) => (cov[j * dim + j] = v));
  return { mean: Float64Array.from(mean), cov, dim, count: 1000 };
}

describe('frechetDistance', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches the Python reference on fixed vectors: %s', (_name, c) => {
    const got = frechetDistance({ values: c.a, count: c.a_count, dim: c.dim }, { values: c.b, count: c.b_count, dim: c.dim });
    // With fewer vectors than features, eigenvalues that are 0 in exact arithmetic come out near ±1e-16,
    // and their square roots (~1e-8 each) differ by method: a looser bound there.
    const singular = Math.min(c.a_count, c.b_count) <= c.dim;
    expect(Math.abs(got - c.fd)).toBeLessThan((singular ? 1e-6 : 1e-9) * Math.max(1, c.fd));
  });

  it('is symmetric in its two sets', () => {
    const c = reference.cases[1];
    const a = { values: c.a, count: c.a_count, dim: c.dim };
    const b = { values: c.b, count: c.b_count, dim: c.dim };
    expect(frechetDistance(a, b)).toBeCloseTo(frechetDistance(b, a), 10);
  });

  it('is 0 for a set against itself', () => {
    const c = reference.cases[1];
    const a = { values: c.a, count: c.a_count, dim: c.dim };
    expect(frechetDistance(a, a)).toBeLessThan(1e-10);
  });

  it('has the closed form for diagonal covariances: ‖μ₁ − μ₂‖² + Σ (σ₁ − σ₂)²', () => {
    const mean1 = [0, 1, -2, 0.5];
    const mean2 = [1, 1, 0, -0.5];
    const var1 = [1, 4, 0.25, 9];
    const var2 = [4, 1, 1, 0.01];
    let want = 0;
    for (let j = 0; j < 4; j++) want += (mean1[j] - mean2[j]) ** 2 + (Math.sqrt(var1[j]) - Math.sqrt(var2[j])) ** 2;
    expect(frechetDistanceOfStats(diagonalStats(mean1, var1), diagonalStats(mean2, var2))).toBeCloseTo(want, 10);
  });

  it('has the closed form for covariances that are multiples of one matrix: (√a − √b)² Tr Σ', () => {
    // Σ₁ = aΣ, Σ₂ = bΣ ⇒ (Σ₁Σ₂)^{1/2} = √(ab) Σ, so d² = ‖μ₁ − μ₂‖² + (a + b − 2√(ab)) Tr Σ, Σ not diagonal.
    const base = [2, 0.6, 0.2, 0.6, 1, -0.3, 0.2, -0.3, 0.5];
    const stats = (scale: number, mean: number[]): FeatureStats => ({
      mean: Float64Array.from(mean),
      cov: Float64Array.from(base, (v) => v * scale),
      dim: 3,
      count: 100,
    });
    const want = 1 + 4 + (3 + 0.5 - 2 * Math.sqrt(1.5)) * 3.5;
    expect(frechetDistanceOfStats(stats(3, [0, 0, 0]), stats(0.5, [1, 0, 2]))).toBeCloseTo(want, 10);
  });

  it('takes the unbiased (n − 1) covariance, as numpy.cov', () => {
    const s = featureStats({ values: [0, 0, 2, 4], count: 2, dim: 2 });
    expect(Array.from(s.mean)).toEqual([1, 2]);
    expect(Array.from(s.cov)).toEqual([2, 4, 4, 8]);
  });

  it('refuses mismatched sizes and non-finite features with a message', () => {
    expect(() => featureStats({ values: [1, 2, 3], count: 2, dim: 2 })).toThrow(/expected 2 × 2 = 4 values, got 3/);
    expect(() => featureStats({ values: [1, 2], count: 1, dim: 2 })).toThrow(/at least 2 vectors/);
    expect(() => featureStats({ values: [1, NaN, 3, 4], count: 2, dim: 2 })).toThrow(/non-finite/);
    const a = { values: [1, 2, 3, 4], count: 2, dim: 2 };
    const b = { values: [1, 2, 3, 4], count: 4, dim: 1 };
    expect(() => frechetDistance(a, b)).toThrow(/differ in dimension: 2 and 1/);
  });
});
