/**
 * How long the training panel trains: "Train for N epochs | minutes". The default comes from the
 * dataset, as the CLI's (shared/training-defaults.ts): a folder trains on a time budget (its epochs
 * suggestion is only the cap), MNIST for a fixed number of epochs. Pure: the panel and its unit test use it.
 */
import type { DatasetSummary, TrainSettings } from '../../shared/contract';
import type { Arch } from '../../shared/vocabulary';
import { MAX_TIME_BUDGET_SECONDS, MIN_TIME_BUDGET_SECONDS } from '../../shared/limits';
import { FOLDER_IMAGE_SIZE, suggestTraining, type DatasetShape } from '../../shared/training-defaults';

export { FOLDER_IMAGE_SIZE };

export type LengthUnit = 'epochs' | 'minutes';
export interface TrainingLength {
  value: number;
  unit: LengthUnit;
}

/** Which dataset a typed length belongs to: the same folder reopened at another size keeps it. */
export function datasetKey(d: DatasetSummary): string {
  return d.source.kind === 'folder' ? `folder:${d.source.path}` : 'mnist';
}

function shape(d: DatasetSummary, limit: number): DatasetShape {
  const trainCount = limit > 0 ? Math.min(limit, d.trainCount) : d.trainCount;
  return { kind: d.source.kind, trainCount, height: d.height, channels: d.channels };
}

export function defaultTrainingLength(d: DatasetSummary): TrainingLength {
  const suggested = suggestTraining(shape(d, 0));
  return suggested.budgeted ? { value: suggested.timeBudgetSeconds / 60, unit: 'minutes' } : { value: suggested.fixedEpochs, unit: 'epochs' };
}

/**
 * The length as trainStart's settings: epochs, or a time budget whose epochs cap is the dataset's
 * suggestion for the images trained on (`limit`, 0 for all). Null when the value is not a length.
 */
export function trainingLengthSettings(length: TrainingLength, d: DatasetSummary, limit: number): Pick<TrainSettings, 'epochs' | 'timeBudgetSeconds'> | null {
  if (!Number.isFinite(length.value) || length.value <= 0) return null;
  if (length.unit === 'epochs') return Number.isInteger(length.value) ? { epochs: length.value } : null;
  const seconds = Math.round(length.value * 60 * 1000) / 1000;
  if (seconds < MIN_TIME_BUDGET_SECONDS || seconds > MAX_TIME_BUDGET_SECONDS) return null;
  return { epochs: suggestTraining(shape(d, limit)).epochs, timeBudgetSeconds: seconds };
}

/** The model the panel trains unless the user picks another: what to train, not how long. */
export interface ModelChoices {
  arch: Arch;
  latentDim: number;
  /** Training images (0: all of them). */
  limit: number;
}

/** MNIST's quick start: the CLI's model (suggestTraining: d = 2, the default model's) on a 2,000-image subset. */
export const MNIST_CHOICES: ModelChoices = {
  arch: 'mlp',
  latentDim: suggestTraining({ kind: 'mnist', trainCount: 60000, height: 28, channels: 1 }).latentDim,
  limit: 2000,
};

/**
 * A folder trains what the CLI would (a conv VAE where the size allows, on every image) with room in its
 * latent space for colour and shape; MNIST keeps its quick 2-d start.
 */
export function defaultModelChoices(d: DatasetSummary): ModelChoices {
  if (d.source.kind === 'mnist') return { ...MNIST_CHOICES };
  // The CLI's choice for the folder at the panel's size (shared/training-defaults.ts: one source for both).
  const { arch, latentDim } = suggestTraining({ kind: 'folder', trainCount: d.trainCount, height: FOLDER_IMAGE_SIZE, channels: d.channels });
  return { arch, latentDim, limit: 0 };
}

/** "1:05" or "42 s". */
export function clockTime(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m ? `${m}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}
