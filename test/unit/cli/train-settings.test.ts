/** `latentscape train` without options trains what suggestTraining says (the app's source too). */
import { describe, expect, it } from 'vitest';
import { chooseTraining } from '../../../src/cli/train-settings';
import { suggestTraining, type DatasetShape } from '../../../src/shared/training-defaults';
import { folderRecipe } from '../../../src/engine/bench-figures/conv-folder-bench';

const MNIST: DatasetShape = { kind: 'mnist', trainCount: 54000, height: 28, channels: 1 };
const FOLDER: DatasetShape = { kind: 'folder', trainCount: 3275, height: 32, channels: 3 };

describe('the CLI and suggestTraining agree', () => {
  it.each([
    ['mnist', MNIST],
    ['a colour folder', FOLDER],
  ])('on %s with no options', (_name, shape) => {
    const s = suggestTraining(shape);
    const chosen = chooseTraining({}, s);
    expect(chosen).toEqual({
      arch: s.arch,
      latentDim: s.latentDim,
      likelihood: s.likelihood,
      learnedScale: s.learnedScale,
      lr: s.lr,
      lrSchedule: s.lrSchedule,
      batchSize: s.batchSize,
      epochs: s.budgeted ? s.epochs : s.fixedEpochs,
      timeBudgetSeconds: s.budgeted ? s.timeBudgetSeconds : undefined,
    });
  });

  it("a folder gets the app's 32-d latent, MNIST its 2-d map and 10 epochs", () => {
    expect(chooseTraining({}, suggestTraining(FOLDER))).toMatchObject({ latentDim: 32, arch: 'conv', timeBudgetSeconds: 180 });
    expect(chooseTraining({}, suggestTraining(MNIST))).toMatchObject({ latentDim: 2, arch: 'mlp', epochs: 10, timeBudgetSeconds: undefined });
  });

  it('what the user gives wins; a given budget has no epoch cap and given epochs no budget', () => {
    const s = suggestTraining(FOLDER);
    expect(chooseTraining({ latentDim: 8, timeBudgetSeconds: 60 }, s)).toMatchObject({ latentDim: 8, timeBudgetSeconds: 60, epochs: 100000 });
    expect(chooseTraining({ epochs: 3 }, s)).toMatchObject({ epochs: 3, timeBudgetSeconds: undefined });
    // mlp picked by hand on a conv-sized folder takes the mlp rate, and a hand-picked likelihood σ = 1.
    expect(chooseTraining({ arch: 'mlp', likelihood: 'gaussian' }, s)).toMatchObject({ arch: 'mlp', lr: 1e-3, learnedScale: false });
  });

  it("the conv folder bench trains suggestTraining's latent size", () => {
    expect(folderRecipe(256).config.latentDim).toBe(suggestTraining({ kind: 'folder', trainCount: 256, height: 32, channels: 3 }).latentDim);
  });
});
