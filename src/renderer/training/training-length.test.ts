/** The training panel's "Train for N epochs | minutes": defaults from the dataset and the settings sent (issue 11). */
import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../shared/contract';
import { clockTime, datasetKey, defaultModelChoices, defaultTrainingLength, trainingLengthSettings } from './training-length';
import { suggestTraining } from '../../shared/training-defaults';

const base = { name: 'x', count: 1, trainCount: 3639, testCount: 0, width: 32, height: 32, channels: 3 } as const;
const folder = { ...base, source: { kind: 'folder', path: '/data/icons' } } as unknown as DatasetSummary;
const mnist = { ...base, trainCount: 60000, width: 28, height: 28, channels: 1, source: { kind: 'mnist' } } as unknown as DatasetSummary;

describe('the training length', () => {
  it('defaults as the CLI: a folder trains 3 minutes (its suggested budget), MNIST 10 epochs', () => {
    expect(defaultTrainingLength(folder)).toEqual({
      value: suggestTraining({ kind: 'folder', trainCount: 3639, height: 32, channels: 3 }).timeBudgetSeconds / 60,
      unit: 'minutes',
    });
    expect(defaultTrainingLength(folder).value).toBe(3);
    expect(defaultTrainingLength(mnist)).toEqual({ value: 10, unit: 'epochs' });
  });

  it('minutes become a time budget whose epochs cap is the suggestion for the images trained on', () => {
    expect(trainingLengthSettings({ value: 3, unit: 'minutes' }, folder, 0)).toEqual({
      epochs: suggestTraining({ kind: 'folder', trainCount: 3639, height: 32, channels: 3 }).epochs,
      timeBudgetSeconds: 180,
    });
    // A subset of 64 images: 2 steps an epoch, so the cap is 3000 epochs (MIN_STEPS); 0.05 min is 3 s.
    expect(trainingLengthSettings({ value: 0.05, unit: 'minutes' }, folder, 64)).toEqual({ epochs: 3000, timeBudgetSeconds: 3 });
    expect(trainingLengthSettings({ value: 7, unit: 'epochs' }, folder, 0)).toEqual({ epochs: 7 });
  });

  it('refuses what is not a length (the contract would too)', () => {
    for (const bad of [0, -1, Number.NaN, 0.01, 24 * 60 + 1]) expect(trainingLengthSettings({ value: bad, unit: 'minutes' }, folder, 0)).toBeNull();
    for (const bad of [0, 1.5, Number.NaN]) expect(trainingLengthSettings({ value: bad, unit: 'epochs' }, mnist, 0)).toBeNull();
  });

  it('belongs to a dataset by its source: the same folder at another size keeps what was typed', () => {
    expect(datasetKey(folder)).toBe(datasetKey({ ...folder, height: 64, width: 64 } as DatasetSummary));
    expect(datasetKey(folder)).not.toBe(datasetKey(mnist));
  });

  it('shows times as m:ss or seconds', () => {
    expect(clockTime(3)).toBe('3 s');
    expect(clockTime(180)).toBe('3:00');
    expect(clockTime(65.4)).toBe('1:05');
    expect(clockTime(null)).toBe('–');
  });
});

describe('the model a dataset trains by default', () => {
  it('a folder: a conv VAE (its size allows one), d = 32, every image; MNIST: the quick 2-d MLP on 2,000 images', () => {
    expect(defaultModelChoices(folder)).toEqual({ arch: 'conv', latentDim: 32, limit: 0 });
    expect(defaultModelChoices(mnist)).toEqual({ arch: 'mlp', latentDim: 2, limit: 2000 });
  });

  it("is the CLI's: arch and latent size are suggestTraining's (the one source both take them from)", () => {
    for (const d of [folder, mnist]) {
      const cli = suggestTraining({ kind: d.source.kind, trainCount: d.trainCount, height: d.height, channels: d.channels });
      expect(defaultModelChoices(d)).toMatchObject({ arch: cli.arch, latentDim: cli.latentDim });
    }
  });
});
