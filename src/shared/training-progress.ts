/**
 * A training's progress record, declared once: the engine sends it (its 'step' event), the service
 * passes it on unchanged with the run's id, generation and clock (the 'trainProgress' event), and the
 * training panel shows it; the figures it derives (bits/dim, the ETA against a time budget) are the
 * panel's. Part of the contract (contract.ts re-exports it); imports only zod.
 */
import { z } from 'zod';

const int = z.number().int();

export const TrainProgressSchema = z.strictObject({
  /** 1-based: the epoch in progress. */
  epoch: int,
  /** The run's epochs (the cap when it has a time budget). */
  epochs: int,
  step: int,
  stepsPerEpoch: int,
  /** The batch's −ELBO, nats per image. */
  loss: z.number(),
  samplesPerSec: z.number(),
  /** Seconds until the epochs cap at the current rate. */
  etaSeconds: z.number(),
  /** Mean reconstruction term and KL (nats) of the steps since the previous record. */
  recon: z.number().optional(),
  kl: z.number().optional(),
});
export type TrainProgress = z.infer<typeof TrainProgressSchema>;
