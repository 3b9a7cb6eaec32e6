/**
 * Notices a training whose loss explodes, so the run stops and says so instead of ending "done" with a
 * collapsed model.
 *
 * The rule: a step whose loss is not a number (NaN, ±Infinity), or an epoch whose mean training loss
 * (−ELBO_β) lies more than DIVERGENCE_RISE_PER_DIM nats per image dimension above the best epoch's
 * mean so far. A ratio to the best loss ("k × best") would not do: a calibrated Gaussian decoder's loss
 * goes negative (−3,000 nats on the 32×32 icons), where a ratio means nothing. The loss is a sum over
 * the image's dimensions, so a rise per dimension reads the same on MNIST (784) and on colour icons
 * (3,072).
 *
 * Why 0.5: over the 38 healthy runs of the 2026-12-07 decoder sweep and the sprite runs
 * (/work/data/runs, 17–69 epochs each) the largest rise above the best epoch was 0.053 nats/dim
 * (sprites, residual-1, seed 0, epoch 3); the one diverged run (icons, resize-conv + residual-1, seed 0:
 * 862 → 4,990 → 46,387) rose 1.34 nats/dim at epoch 2 and 14.8 at epoch 3. 0.5 sits ten times above the
 * healthy maximum and fires at epoch 2 on the diverged run. Short runs of 2026-12-07 (6 epochs; MNIST 6,000
 * images, mlp; icons 1,200, conv; wasm/native CLI): the defaults, MNIST at lr 0.05 and the icons at 0.01–0.05
 * never fired; MNIST at lr 0.2 and 5 stopped on a NaN in epoch 1; 200 MNIST images at lr 0.1 fired at epoch 3
 * (2,055 → 2,800). The icons at lr 0.02–0.05 collapse instead (11.5 dB, the loss flat near 300): a model that
 * stops learning without exploding is not caught by this rule.
 */

/** How far (nats per image dimension) an epoch's mean loss may rise above the best epoch's before the run counts as diverged. */
export const DIVERGENCE_RISE_PER_DIM = 0.5;

export interface Divergence {
  /** The epoch (1-based) in which it was noticed; it is not saved. */
  epoch: number;
  /** The step (1-based) whose loss was not a number, or null when the epoch's mean gave it away. */
  step: number | null;
  /** The best epoch's mean loss before it (null: none finished yet). */
  bestLoss: number | null;
  bestEpoch: number | null;
  /** The loss that gave it away (null: not a number). */
  loss: number | null;
  /** What happened and what to try, for the user. */
  message: string;
}

const ADVICE = 'Try a lower learning rate.';

function nats(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Watches one run's losses; `previous` are the epochs of the checkpoint a resumed run continues. */
export class DivergenceWatch {
  private best: { epoch: number; loss: number } | null = null;

  constructor(
    /** The image's dimensions (height × width × channels): the loss is summed over them. */
    private readonly dims: number,
    previous: readonly { epoch: number; train_loss: number }[] = [],
  ) {
    for (const m of previous) this.remember(m.epoch, m.train_loss);
  }

  /** A step's loss: diverged when it is not a number. */
  step(epoch: number, step: number, loss: number): Divergence | null {
    return Number.isFinite(loss) ? null : this.notANumber(epoch, step, loss);
  }

  /** An epoch's mean loss: diverged when it is not a number or rose too far above the best; otherwise it is remembered. */
  epoch(epoch: number, loss: number): Divergence | null {
    if (!Number.isFinite(loss)) return this.notANumber(epoch, null, loss);
    const best = this.best;
    if (best && loss - best.loss > DIVERGENCE_RISE_PER_DIM * this.dims) {
      return {
        epoch,
        step: null,
        bestLoss: best.loss,
        bestEpoch: best.epoch,
        loss,
        message: `The loss exploded at epoch ${epoch} (${nats(best.loss)} → ${nats(loss)}). ${ADVICE}`,
      };
    }
    this.remember(epoch, loss);
    return null;
  }

  private notANumber(epoch: number, step: number | null, loss: number): Divergence {
    const where = step === null ? `in epoch ${epoch}` : `at epoch ${epoch}, step ${step}`;
    const message = `The loss stopped being a number (${loss}) ${where}. ${ADVICE}`;
    return { epoch, step, bestLoss: this.best?.loss ?? null, bestEpoch: this.best?.epoch ?? null, loss: null, message };
  }

  private remember(epoch: number, loss: number): void {
    if (Number.isFinite(loss) && (!this.best || loss < this.best.loss)) this.best = { epoch, loss };
  }
}
