/** The divergence rule (engine/train/divergence.ts) on real loss series and on seeded noise. */
import { describe, expect, it } from 'vitest';
import { DIVERGENCE_RISE_PER_DIM, DivergenceWatch, type Divergence } from '../../../../src/engine/train/divergence';

const ICON_DIMS = 32 * 32 * 3;

/** The first divergence the watch reports over a series of epoch means, or null. */
function firstDivergence(dims: number, losses: number[]): Divergence | null {
  const watch = new DivergenceWatch(dims);
  for (const [i, loss] of losses.entries()) {
    const d = watch.epoch(i + 1, loss);
    if (d) return d;
  }
  return null;
}

/** A deterministic uniform stream in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the divergence rule', () => {
  it("fires at epoch 2 on the decoder sweep's diverged run (icons, resize-conv + residual-1, seed 0)", () => {
    // Epoch means of /work/data/runs/sweep-icons/icons/resize-conv+residual-1/seed-0 (rounded).
    const d = firstDivergence(ICON_DIMS, [862, 4990, 46387, 485, 424]);
    expect(d).toMatchObject({ epoch: 2, step: null, bestEpoch: 1, bestLoss: 862, loss: 4990 });
    expect(d?.message).toBe('The loss exploded at epoch 2 (862 → 4,990). Try a lower learning rate.');
  });

  it('does not fire on healthy runs, whose losses go negative and jitter (sweep runs, first epochs)', () => {
    // Sprites residual-1 seed 0 rose 0.053 nats/dim above its best at epoch 3: the largest rise of the 38 healthy runs.
    expect(firstDivergence(ICON_DIMS, [417, -682, -518, -1429, -1798, -2004, -2177, -2309])).toBeNull();
    expect(firstDivergence(ICON_DIMS, [566, -1412, -1810, -1649, -2180, -2313, -2421, -2518])).toBeNull();
    expect(firstDivergence(ICON_DIMS, [1500, -272, -966, -816, -1397, -1512, -1640, -1733])).toBeNull();
  });

  it("does not fire on a falling loss with seeded noise up to a third of the rule's margin", () => {
    const next = uniform(7);
    for (let run = 0; run < 50; run++) {
      const dims = run % 2 ? 784 : ICON_DIMS;
      const margin = DIVERGENCE_RISE_PER_DIM * dims;
      const losses = Array.from({ length: 40 }, (_, i) => 1000 - 60 * Math.sqrt(i) + (next() - 0.5) * (2 / 3) * margin);
      expect(firstDivergence(dims, losses), `run ${run}`).toBeNull();
    }
  });

  it('fires on a negative loss that rises past the margin, and not just under it', () => {
    const margin = DIVERGENCE_RISE_PER_DIM * ICON_DIMS;
    expect(firstDivergence(ICON_DIMS, [1200, -2000, -2000 + margin * 0.99])).toBeNull();
    expect(firstDivergence(ICON_DIMS, [1200, -2000, -1900, -2000 + margin * 1.01])).toMatchObject({ epoch: 4, bestEpoch: 2, bestLoss: -2000 });
  });

  it('fires on a step whose loss is not a number, and on an epoch mean that is not one', () => {
    const watch = new DivergenceWatch(784);
    expect(watch.step(1, 3, 180)).toBeNull();
    expect(watch.step(1, 4, NaN)).toMatchObject({ epoch: 1, step: 4, loss: null, bestLoss: null });
    expect(watch.step(1, 4, Infinity)?.message).toBe('The loss stopped being a number (Infinity) at epoch 1, step 4. Try a lower learning rate.');
    expect(watch.epoch(1, NaN)).toMatchObject({ epoch: 1, step: null, loss: null });
  });

  it("a resumed run's best counts the checkpoint's epochs", () => {
    const watch = new DivergenceWatch(784, [
      { epoch: 1, train_loss: 200 },
      { epoch: 2, train_loss: 150 },
    ]);
    expect(watch.epoch(3, 150 + 0.6 * 784)).toMatchObject({ epoch: 3, bestEpoch: 2, bestLoss: 150 });
  });
});
