/** `latentscape train` when the loss explodes: it says so (text and JSON), exits 3 and loses no model the user had. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

function cli(...args: string[]): CliRun {
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm' });
}

const SMALL = ['--data', 'mnist', '--arch', 'mlp', '--latent', '2', '--limit', '200', '--batch', '50'];

/**
 * Every file of a model folder, by name, as its SHA-256: the same bytes give the same digests, and a
 * mismatch fails with a short diff (comparing the megabytes themselves made a failing run format them).
 */
async function folderBytes(path: string): Promise<Map<string, string>> {
  const names = (await readdir(path)).sort();
  const digest = async (n: string): Promise<string> =>
    createHash('sha256')
      .update(await readFile(join(path, n)))
      .digest('hex');
  return new Map(await Promise.all(names.map(async (n) => [n, await digest(n)] as const)));
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe('latentscape train: a diverged run', () => {
  it('--force at a rate that explodes in epoch 3: JSON says diverged, exit 3, and the model it was to replace is back byte for byte', async () => {
    const out = join(dir.path, 'forced');
    expect(cli('train', ...SMALL, '--epochs', '1', '--out', out).code).toBe(0);
    const before = await folderBytes(out);

    // At lr 0.1 (seed 1) epochs 1 and 2 pass the rule and are saved; epoch 3's mean loss explodes.
    const r = cli('train', ...SMALL, '--epochs', '5', '--lr', '0.1', '--seed', '1', '--force', '--out', out, '--json');
    expect(r.code).toBe(3);
    const final = r.lines.find((l) => l.final);
    expect(final).toMatchObject({ diverged: true, epoch: 3, step: null, epochs_kept: 1, previous_model_kept: true, out });
    expect(final?.message).toMatch(/^The loss exploded at epoch 3 \([\d,]+ → [\d,]+\)\. Try a lower learning rate\.$/);
    expect(await folderBytes(out)).toEqual(before);
  });

  it('--resume at a rate whose loss stops being a number: the text says so and where the model is, exit 3, the model untouched', async () => {
    const out = join(dir.path, 'resumed');
    expect(cli('train', ...SMALL, '--epochs', '2', '--out', out).code).toBe(0);
    const before = await folderBytes(out);

    const r = cli('train', ...SMALL, '--epochs', '4', '--lr', '10', '--resume', '--out', out);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^diverged: The loss stopped being a number \((NaN|-?Infinity)\) at epoch 3, step \d+\. Try a lower learning rate\.\n/);
    expect(r.stdout).toContain(`${out} keeps the model of epoch 2`);
    expect(await folderBytes(out)).toEqual(before);
  });
});
