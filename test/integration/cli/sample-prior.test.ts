import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

function cli(...args: string[]): CliRun {
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm' });
}

let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
let trained: CliRun;
beforeAll(async () => {
  dir = await tempDir();
  model = join(dir.path, 'm');
  trained = cli('train', '--data', 'mnist', '--arch', 'mlp', '--latent', '3', '--epochs', '1', '--limit', '200', '--seed', '2', '--out', model, '--json');
  expect(trained.stderr).toBe('');
  expect(trained.code).toBe(0);
}, 180_000);
afterAll(() => dir.cleanup());

async function pngPixels(file: string): Promise<Buffer> {
  return sharp(file).raw().toBuffer();
}

describe('the latent density in the CLI', () => {
  it('train stores it and reports its size and held-out log-likelihood', async () => {
    const final = trained.lines.at(-1)!;
    expect(final.final).toBe(true);
    expect(final.density_components).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(final.density_heldout_loglik)).toBe(true);
    const manifest = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8'));
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.latentDensity.weights).toHaveLength(final.density_components as number);
    expect(manifest.latentDensity.heldOutLogLikelihood).toBe(final.density_heldout_loglik);
  });

  it('sample draws from it by default and from N(0, I) when asked, and says which', async () => {
    const byDefault = join(dir.path, 'default.png');
    const normal = join(dir.path, 'normal.png');
    const insisted = join(dir.path, 'density.png');
    const a = cli('sample', '--model', model, '--n', '4', '--seed', '5', '--out', byDefault, '--json');
    const b = cli('sample', '--model', model, '--n', '4', '--seed', '5', '--out', normal, '--prior', 'normal', '--json');
    const c = cli('sample', '--model', model, '--n', '4', '--seed', '5', '--out', insisted, '--prior', 'density', '--json');
    for (const r of [a, b, c]) expect(r.code).toBe(0);
    expect(a.lines.at(-1)).toMatchObject({ prior_kind: 'density', prior: expect.stringMatching(/^fitted density \(\d components?\)$/) });
    expect(b.lines.at(-1)).toMatchObject({ prior_kind: 'normal', prior: 'N(0, I)' });
    expect(c.lines.at(-1)).toMatchObject({ prior_kind: 'density' });
    expect((await pngPixels(byDefault)).equals(await pngPixels(insisted))).toBe(true);
    expect((await pngPixels(byDefault)).equals(await pngPixels(normal))).toBe(false);
    const bad = cli('sample', '--model', model, '--out', byDefault, '--prior', 'uniform');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prior must be one of density, normal, got "uniform"/);
  });

  it('a model without one (format 1) samples N(0, I), refuses --prior density, and prepare fits one', async () => {
    const file = join(model, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    delete manifest.latentDensity;
    manifest.formatVersion = 1;
    await writeFile(file, JSON.stringify(manifest));
    const out = join(dir.path, 'old.png');
    const plain = cli('sample', '--model', model, '--n', '4', '--out', out);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/no fitted latent density: sampling from N\(0, I\)/);
    expect(cli('sample', '--model', model, '--n', '4', '--out', out, '--json').lines.at(-1)).toMatchObject({ prior_kind: 'normal' });
    const refused = cli('sample', '--model', model, '--out', out, '--prior', 'density');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no fitted latent density/);
    // (--skip-fd: the sample distance of a full MNIST is measured in prepare-quality.test.ts's smaller way.)
    const prepared = cli('prepare', '--model', model, '--json', '--skip-fd');
    expect(prepared.code).toBe(0);
    expect(prepared.lines.at(-1)!.density_components).toBeGreaterThanOrEqual(1);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.formatVersion).toBe(2);
    expect(after.latentDensity.weights.length).toBe(prepared.lines.at(-1)!.density_components);
    expect(cli('sample', '--model', model, '--n', '4', '--out', out, '--json').lines.at(-1)).toMatchObject({ prior_kind: 'density' });
  });
});
