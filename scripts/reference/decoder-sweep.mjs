#!/usr/bin/env node
/**
 * Measures the decoder options of issue 21 item 4 (model/conv-arch.ts, train/kl-schedule.ts) as the app
 * trains them: every variant × every seed × every folder, each a `latentscape train` on the app's default
 * 3-minute budget, then `latentscape eval` for the sample distance. Prints a table of the held-out PSNR and
 * sample_fd, mean ± sd over the seeds, per folder; run it on a quiet machine (timings decide the epochs).
 *
 *   node scripts/reference/decoder-sweep.mjs --folders /work/data/icons,/work/data/photos --out /work/data/runs/decoder-sweep
 *       [--seeds 0,1,2] [--budget 180] [--budget-clock wall|cpu] [--latent 32] [--backend tensorflow|wasm|cpu]
 *       [--only baseline,resize-conv,...] [--fd-count N]
 *
 * Writes only under --out (new, empty, or a sweep's own folder): OUT/<folder>/<variant>/seed-<S>/model (the
 * model), …/result.json (its figures; a run that has one is not repeated, so a stopped sweep continues), OUT/
 * feature-cache (eval's feature nets), OUT/summary.json and the table. 9 variants × 3 seeds × 2 folders × 3 min
 * is about 3 hours of training plus the evals.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The variants: today's default, and one change at a time from it (then the combination of the two architectural ones). */
export const VARIANTS = {
  baseline: [],
  'resize-conv': ['--upsample', 'resize-conv'],
  'residual-1': ['--residual-blocks', '1'],
  'resize-conv+residual-1': ['--upsample', 'resize-conv', '--residual-blocks', '1'],
  'wide-64,128': ['--filters', '64,128'],
  'kl-warmup-0.2': ['--kl-warmup', '0.2'],
  'free-bits-0.25': ['--free-bits', '0.25'],
  'beta-0.5': ['--beta', '0.5'],
  'beta-2': ['--beta', '2'],
};

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'latentscape.js');
const MARKER = 'decoder-sweep.json';

function usage(message) {
  console.error(
    `${message}\nusage: node scripts/reference/decoder-sweep.mjs --folders A,B --out DIR [--seeds 0,1,2] [--budget 180] [--budget-clock wall|cpu] [--latent 32] [--backend NAME] [--only V1,V2] [--fd-count N]`,
  );
  process.exit(2);
}

/** Runs the CLI with --json; resolves with its last JSON line (the `final` one), or rejects with its error. */
function cli(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = null;
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line);
          if (parsed.final) last = parsed;
        } catch {
          // A line that is not JSON is the CLI's human text: not the result.
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && last && !last.error) resolvePromise(last);
      else reject(new Error(`latentscape ${args[0]} failed (exit ${code}): ${last?.error ?? 'no final line'}`));
    });
  });
}

/** The variants `--only` names (all when unset). Split at commas not followed by a digit: 'wide-64,128' is one name. */
export function variantNames(only) {
  return only ? only.split(/,(?!\d)/) : Object.keys(VARIANTS);
}

export function meanSd(values) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { mean: NaN, sd: NaN, n: 0 };
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const sd = finite.length > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1)) : NaN;
  return { mean, sd, n: finite.length };
}

const show = ({ mean, sd, n }, digits) => (n === 0 ? '—' : `${mean.toFixed(digits)} ± ${Number.isFinite(sd) ? sd.toFixed(digits) : '?'} (${n})`);

/** Welch's t of a − b (two samples of seeds): how many standard errors apart the means are. */
export function welchT(a, b) {
  const x = meanSd(a);
  const y = meanSd(b);
  const se = Math.sqrt(x.sd ** 2 / x.n + y.sd ** 2 / y.n);
  return (x.mean - y.mean) / se;
}

/** "+0.23 (t +7.8)": a variant's mean against the baseline's, with Welch's t (blank without a baseline). */
function versus(values, base, digits) {
  if (!base) return '';
  const delta = meanSd(values).mean - meanSd(base).mean;
  const t = welchT(values, base);
  const sign = (v, d) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;
  return `${sign(delta, digits)} (t ${Number.isFinite(t) ? sign(t, 1) : '?'})`;
}

const perSeed = (values, digits) => values.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : '—')).join(', ');

export function table(summary) {
  const rows = [];
  for (const [folder, variants] of Object.entries(summary)) {
    const baseRuns = variants.baseline?.runs;
    const column = (runs, key) => runs.map((r) => r[key]);
    rows.push(
      `\n${folder}`,
      '| variant | epochs | PSNR dB per seed | PSNR dB (higher is better) | Δ PSNR vs baseline | sample_fd per seed | sample_fd (lower is better) | Δ sample_fd vs baseline | recon_fd |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const [variant, s] of Object.entries(variants)) {
      const psnr = column(s.runs, 'psnr_db');
      const fd = column(s.runs, 'sample_fd');
      // The baseline's own row has no comparison.
      const base = variant === 'baseline' ? undefined : baseRuns;
      rows.push(
        `| ${variant} | ${perSeed(column(s.runs, 'epochs'), 0)} | ${perSeed(psnr, 2)} | ${show(s.psnr_db, 2)} | ${versus(psnr, base && column(base, 'psnr_db'), 2)} | ${perSeed(fd, 2)} | ${show(s.sample_fd, 2)} | ${versus(fd, base && column(base, 'sample_fd'), 2)} | ${show(meanSd(column(s.runs, 'recon_fd')), 2)} |`,
      );
    }
  }
  return rows.join('\n');
}

async function checkOut(out) {
  if (!existsSync(out)) return mkdir(out, { recursive: true });
  const entries = await readdir(out);
  if (entries.length > 0 && !entries.includes(MARKER)) usage(`--out ${out} holds files that are not a decoder sweep's: choose a new or empty folder`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      folders: { type: 'string' },
      out: { type: 'string' },
      seeds: { type: 'string', default: '0,1,2' },
      budget: { type: 'string', default: '180' },
      'budget-clock': { type: 'string', default: 'wall' },
      latent: { type: 'string', default: '32' },
      backend: { type: 'string' },
      only: { type: 'string' },
      'fd-count': { type: 'string' },
    },
  });
  if (!values.folders || !values.out) usage('--folders and --out are required');
  const folders = values.folders.split(',').map((f) => resolve(f.trim()));
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) usage('--seeds lists integers ≥ 0');
  if (!(Number(values.budget) > 0)) usage('--budget is seconds, > 0');
  const names = variantNames(values.only);
  for (const name of names) if (!(name in VARIANTS)) usage(`unknown variant "${name}": one of ${Object.keys(VARIANTS).join(', ')}`);
  for (const folder of folders) if (!existsSync(folder)) usage(`no folder ${folder}`);
  const out = resolve(values.out);
  await checkOut(out);
  await writeFile(join(out, MARKER), `${JSON.stringify({ folders, seeds, budget: Number(values.budget), variants: names }, null, 2)}\n`);
  const common = [...(values.backend ? ['--backend', values.backend] : [])];
  const summary = {};
  for (const folder of folders) {
    const folderKey = basename(folder);
    summary[folderKey] = {};
    for (const variant of names) {
      const results = [];
      for (const seed of seeds) {
        const runDir = join(out, folderKey, variant, `seed-${seed}`);
        const resultFile = join(runDir, 'result.json');
        if (existsSync(resultFile)) {
          results.push(JSON.parse(await readFile(resultFile, 'utf8')));
          continue;
        }
        await mkdir(runDir, { recursive: true });
        const model = join(runDir, 'model');
        console.error(`[${folderKey} ${variant} seed ${seed}] training…`);
        const trained = await cli([
          'train',
          '--data',
          folder,
          '--latent',
          values.latent,
          '--seed',
          String(seed),
          '--time-budget',
          values.budget,
          '--budget-clock',
          values['budget-clock'],
          '--out',
          model,
          '--force',
          ...VARIANTS[variant],
          ...common,
        ]);
        console.error(`[${folderKey} ${variant} seed ${seed}] eval…`);
        const scored = await cli([
          'eval',
          '--model',
          model,
          '--k',
          '1',
          '--feature-cache',
          join(out, 'feature-cache'),
          ...(values['fd-count'] ? ['--fd-count', values['fd-count']] : []),
          ...common,
        ]);
        const result = {
          folder,
          variant,
          seed,
          psnr_db: trained.psnr_db,
          epochs: trained.epoch,
          test_loss: trained.test_loss,
          sample_fd: scored.sample_fd,
          floor_fd: scored.floor_fd,
          recon_fd: scored.recon_fd,
          fd_n: scored.fd_n,
          backend: trained.backend,
        };
        await writeFile(resultFile, `${JSON.stringify(result, null, 2)}\n`);
        results.push(result);
      }
      summary[folderKey][variant] = {
        psnr_db: meanSd(results.map((r) => r.psnr_db)),
        sample_fd: meanSd(results.map((r) => r.sample_fd)),
        epochs: meanSd(results.map((r) => r.epochs)),
        runs: results,
      };
    }
  }
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const text = table(summary);
  await writeFile(join(out, 'table.md'), `${text}\n`);
  console.log(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
