/**
 * The learning rate over a training run: constant, or a short warm-up and then a cosine decay from lr to
 * FINAL_LR_FRACTION·lr over the run's plan (its epochs, or its time budget when that ends it first).
 *
 * Why: a constant rate keeps Adam's steps large to the end, so the last epochs jitter around the
 * optimum instead of settling in it; the held-out PSNR of a small colour folder then swings by
 * ±0.2 dB from epoch to epoch. Decayed over the run the user asked for, the last epochs settle:
 * in the PyTorch stand-in runs of scripts/reference/README.md (batch 32, 73 s) 20.49 dB with the decay
 * against 20.08 dB without.
 *
 * The plan is saved with the checkpoint (StepState.lrPlan), so a run that is killed and resumed to the
 * same number of epochs gets the same rate at every step, and continues bit for bit.
 */
import type { LrSchedule } from '../../shared/vocabulary';

export type { LrSchedule };

export const FINAL_LR_FRACTION = 0.05;
/**
 * The cosine schedule first rises linearly over this fraction of the plan. Why: Adam's first steps
 * from a fresh init are the unstable ones; warmed up, a higher peak rate trains without diverging and
 * gets further in the same time (PyTorch stand-in runs, scripts/reference/README.md: lr 5e-3 with the
 * warm-up 20.61 dB against 20.38 dB for 3e-3 without, in 74 s on 4 seeds; 5e-3 without it diverged).
 */
export const WARMUP_FRACTION = 0.05;

/** The epochs a decay spans: from the epoch the run started at to the epoch it is asked to reach. */
export interface LrPlan {
  fromEpoch: number;
  toEpoch: number;
}

/** The rate at progress p ∈ [0, 1] of the plan. */
export function scheduledLr(lr: number, schedule: LrSchedule, progress: number): number {
  if (schedule === 'constant') return lr;
  const p = Math.min(1, Math.max(0, progress));
  const warmup = Math.max(FINAL_LR_FRACTION, Math.min(1, p / WARMUP_FRACTION));
  return warmup * lr * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/**
 * How far through its plan a run is: by steps, or by the time budget when one is set (whichever is
 * further, since either may end the run).
 */
export function planProgress(plan: LrPlan, epoch: number, step: number, stepsPerEpoch: number, budgetFraction: number | null): number {
  const total = (plan.toEpoch - plan.fromEpoch) * stepsPerEpoch;
  const done = (epoch - plan.fromEpoch) * stepsPerEpoch + step;
  const bySteps = total > 0 ? done / total : 1;
  return budgetFraction === null ? bySteps : Math.max(bySteps, budgetFraction);
}

/**
 * The plan of a run: a resumed run that asks for the epochs its checkpoint was planned for continues
 * that plan (exact resume); otherwise the decay starts over from the current epoch.
 */
export function planFor(startEpoch: number, targetEpochs: number, saved: LrPlan | null | undefined, timeBudget: boolean): LrPlan {
  if (saved && !timeBudget && saved.toEpoch === targetEpochs && saved.fromEpoch <= startEpoch) return { ...saved };
  return { fromEpoch: startEpoch, toEpoch: targetEpochs };
}
