/** `latentscape train`'s decoder options (issue 21, item 4): checked up front, and recorded in the model. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

function cli(...args: string[]): CliRun {
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm' });
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe('latentscape train: decoder options', () => {
  it.each([
    [['--kl-warmup', '1.5'], /--kl-warmup must be a number from 0 to 1/],
    [['--free-bits', '11'], /--free-bits must be a number from 0 to 10/],
    [['--arch', 'conv', '--upsample', 'bilinear'], /--upsample must be one of transpose, resize-conv/],
    [['--arch', 'conv', '--residual-blocks', '5'], /--residual-blocks must be an integer from 0 to 4/],
    [['--arch', 'conv', '--filters', '32,x'], /--filters must be an integer from 1 to 1024, got "x"/],
    [['--arch', 'mlp', '--residual-blocks', '1'], /use them with --arch conv/],
  ])('refuses %j before loading anything', (args, message) => {
    const r = cli('train', '--data', 'mnist', '--out', join(dir.path, 'never'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('trains with them, records them, and prints the objective beside the ELBO', async () => {
    const out = join(dir.path, 'm');
    const r = cli(
      'train',
      '--data',
      'mnist',
      '--arch',
      'conv',
      '--latent',
      '2',
      '--epochs',
      '1',
      '--limit',
      '64',
      '--batch',
      '16',
      '--filters',
      '8,16',
      '--upsample',
      'resize-conv',
      '--residual-blocks',
      '1',
      '--kl-warmup',
      '1',
      '--free-bits',
      '0.01',
      '--out',
      out,
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const epoch = r.lines.find((l) => l.epoch === 1 && !l.final);
    expect(epoch?.train_objective).toEqual(expect.any(Number));
    expect(epoch?.train_objective as number).toBeLessThan(epoch?.train_loss as number);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.config).toMatchObject({ filters: [8, 16], decoderUpsample: 'resize-conv', residualBlocks: 1 });
    expect(manifest.training).toMatchObject({ klWarmup: 1, freeBits: 0.01 });
  });
});
