import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

function cli(...args: string[]): CliRun {
  return runCli(args, { LATENTSCAPE_BACKEND: 'wasm' });
}

let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
beforeAll(async () => {
  dir = await tempDir();
  model = join(dir.path, 'm');
  const r = cli('train', '--data', 'mnist', '--arch', 'mlp', '--latent', '4', '--epochs', '2', '--limit', '300', '--seed', '3', '--out', model, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 180_000);
afterAll(() => dir.cleanup());

describe('latentscape train', () => {
  it('prints one JSON line per epoch then a final line, and saves the model', async () => {
    const manifest = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8'));
    expect(manifest.epochsCompleted).toBe(2);
    expect(manifest.dataset.name).toBe('MNIST');
    // 300 images is a small set: the dataset's defaults take batch 32 there (shared/training-defaults.ts).
    expect(manifest.training).toMatchObject({ epochs: 2, batchSize: 32, lr: 0.001, beta: 1, seed: 3, binarize: false });
  });

  it('--json lines carry epoch, losses, samples/s and the backend', () => {
    const r = cli('train', '--data', 'mnist', '--latent', '2', '--epochs', '1', '--limit', '100', '--out', join(dir.path, 'm2'), '--json');
    expect(r.code).toBe(0);
    const [epoch, final] = r.lines;
    for (const key of ['epoch', 'train_loss', 'test_loss', 'recon', 'kl', 'psnr_db', 'samples_per_s', 'backend']) expect(epoch).toHaveProperty(key);
    expect(epoch.backend).toBe('wasm');
    expect(final.final).toBe(true);
    // Bits per dimension beside the nats: MNIST is Bernoulli, D = 784, so bpd = nats / (784 ln 2).
    for (const line of [epoch, final]) {
      expect(line.test_bpd as number).toBeCloseTo((line.test_loss as number) / (784 * Math.LN2), 9);
      expect(line.train_bpd as number).toBeCloseTo((line.train_loss as number) / (784 * Math.LN2), 9);
    }
  });

  it('without --json, each epoch and the result read in bits/dim and PSNR first, nats after', async () => {
    const out = join(dir.path, 'm-text');
    const r = cli('train', '--data', 'mnist', '--latent', '2', '--epochs', '1', '--limit', '100', '--out', out);
    expect(r.code).toBe(0);
    const headline = /epoch 1\/1: test (\d+\.\d{3}) bits\/dim, PSNR \d+\.\d\d dB \(train \d+\.\d{3} bits\/dim; nats per image: test (\d+\.\d)/;
    const [, bpd, nats] = r.stderr.match(headline) ?? [];
    expect(Number(bpd)).toBeCloseTo(Number(nats) / (784 * Math.LN2), 2);
    expect(r.stdout).toMatch(headline);
    expect(r.stdout).toContain(`saved in ${out}`);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.metrics[0].test_bpd).toBeCloseTo(manifest.metrics[0].test_loss / (784 * Math.LN2), 9);
  });

  it.each([
    [['train', '--data', 'mnist', '--epochs', '1'], /--out is required/],
    [['train', '--out', 'x', '--latent', '100'], /--latent must be an integer from 2 to 64/],
    [['train', '--out', 'x', '--arch', 'transformer'], /--arch must be one of mlp, conv/],
    [['train', '--out', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['train', '--out', 'x', '--backend', 'gpu'], /unknown backend "gpu"/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('refuses bad arguments: %j', (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('says so when the data folder does not exist', () => {
    const r = cli('train', '--data', join(dir.path, 'no-such-folder'), '--out', join(dir.path, 'x'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dataset not found: ".*no-such-folder" is neither "mnist" nor an existing folder/);
  });
});

describe('latentscape eval', () => {
  it('reports test loss and an importance-sampled NLL below it', () => {
    const r = cli('eval', '--model', model, '--k', '50', '--limit', '40', '--skip-fd', '--json'); // the Fréchet distances: eval-fd.test.ts
    expect(r.code).toBe(0);
    const final = r.lines.at(-1)!;
    for (const key of ['n', 'test_loss', 'recon', 'kl', 'nll_is', 'psnr_db', 'k', 'backend']) expect(final).toHaveProperty(key);
    // A dB figure of an imperfect reconstruction (its exact definition is tested in psnr.test.ts).
    expect(final.psnr_db as number).toBeGreaterThan(0);
    expect(final.psnr_db as number).toBeLessThan(40);
    expect(final.n).toBe(40);
    expect(final.k).toBe(50);
    expect(final.nll_is as number).toBeLessThan(final.test_loss as number);
    expect(final.test_bpd as number).toBeCloseTo((final.test_loss as number) / (784 * Math.LN2), 9);
    expect(final.nll_is_bpd as number).toBeCloseTo((final.nll_is as number) / (784 * Math.LN2), 9);
  });

  it('without --json, the summary leads with bits/dim and PSNR', () => {
    const r = cli('eval', '--model', model, '--k', '20', '--limit', '20');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^20 held-out images: \d+\.\d{3} bits\/dim \(importance-sampled, K = 20\); ELBO bound \d+\.\d{3} bits\/dim, PSNR \d+\.\d\d dB\n/);
    expect(r.stdout).toMatch(/nats per image: −log p\(x\) ≈ \d+\.\d; loss \d+\.\d = recon/);
  });

  it.each([
    ['a missing directory', 'missing', /model directory not found/],
    ['a foreign directory', 'foreign', /not a Latentscape model directory: manifest.json is missing/],
    ['a corrupt manifest', 'corrupt', /manifest.json .* is corrupt: not valid JSON/],
  ])('refuses %s with a message', async (_what, name, message) => {
    const target = join(dir.path, name);
    if (name === 'foreign') {
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'notes.txt'), 'hello');
    }
    if (name === 'corrupt') {
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'manifest.json'), '{oops');
    }
    const r = cli('eval', '--model', target);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('latentscape sample and embed', () => {
  it('sample writes a PNG grid', async () => {
    const out = join(dir.path, 'grid.png');
    const r = cli('sample', '--model', model, '--n', '16', '--out', out);
    expect(r.code).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([112, 112]);
  });

  it('embed writes id, label, z…, and the 3D view coordinates', async () => {
    const out = join(dir.path, 'points.csv');
    const r = cli('embed', '--model', model, '--limit', '50', '--out', out, '--json');
    expect(r.code).toBe(0);
    const rows = (await readFile(out, 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('id,label,z0,z1,z2,z3,x,y,z');
    expect(rows).toHaveLength(51);
    expect(rows[1].split(',')).toHaveLength(9);
    expect(rows[1].startsWith('0,5,')).toBe(true);
    expect(r.lines.at(-1)).toMatchObject({ n: 50, latent: 4, projection: 'pca' });
  });
});
