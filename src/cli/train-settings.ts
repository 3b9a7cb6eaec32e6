/**
 * What `latentscape train` trains: each option the user gave, else the dataset's suggestion
 * (shared/training-defaults.ts, the app's source too), so the CLI and the app train the same model.
 */
import { learningRateFor, type SuggestedTraining } from '../shared/training-defaults';
import type { Arch, LikelihoodKind, LrSchedule } from '../shared/vocabulary';

/** The options given on the command line, already checked; undefined where not given. */
export interface GivenTrainOptions {
  arch?: Arch;
  latentDim?: number;
  epochs?: number;
  timeBudgetSeconds?: number;
  batchSize?: number;
  lr?: number;
  lrSchedule?: LrSchedule;
  likelihood?: LikelihoodKind;
  learnedScale?: boolean;
}

/** What a run trains: the suggestion's fields, with the time budget absent when the run lasts `epochs`. */
export type ChosenTraining = Omit<SuggestedTraining, 'timeBudgetSeconds' | 'budgeted' | 'fixedEpochs'> & {
  /** Undefined: the run lasts `epochs`. */
  timeBudgetSeconds: number | undefined;
};

/** A run on a time budget the user gave has no epoch cap of its own (the trainer's limit). */
const UNCAPPED_EPOCHS = 100000;

export function chooseTraining(given: GivenTrainOptions, suggested: SuggestedTraining): ChosenTraining {
  const timeBudgetSeconds = given.timeBudgetSeconds ?? (given.epochs === undefined && suggested.budgeted ? suggested.timeBudgetSeconds : undefined);
  const epochs =
    given.epochs ?? (timeBudgetSeconds === undefined ? suggested.fixedEpochs : given.timeBudgetSeconds === undefined ? suggested.epochs : UNCAPPED_EPOCHS);
  const arch = given.arch ?? suggested.arch;
  return {
    arch,
    latentDim: given.latentDim ?? suggested.latentDim,
    likelihood: given.likelihood ?? suggested.likelihood,
    // A likelihood chosen by hand starts from σ = 1 unless --learned-scale says otherwise.
    learnedScale: given.learnedScale ?? (given.likelihood === undefined && suggested.learnedScale),
    lr: given.lr ?? (arch === suggested.arch ? suggested.lr : learningRateFor(arch)),
    lrSchedule: given.lrSchedule ?? suggested.lrSchedule,
    batchSize: given.batchSize ?? suggested.batchSize,
    epochs,
    timeBudgetSeconds,
  };
}
