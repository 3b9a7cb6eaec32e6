import { parseArgs } from 'node:util';
import { runBench } from '../../engine/bench';
import { COMMON_OPTIONS, startBackend } from '../common';
import { intOption } from '../io';
import { checkConvImages, parseParts, runReferenceFigures } from '../bench-figures';
import { benchPage } from '../page-bench';

/** Always JSON: progress lines on stderr, one final JSON object on stdout. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      'no-reference': { type: 'boolean' },
      only: { type: 'string' },
      runs: { type: 'string' },
      threads: { type: 'string' },
      'conv-steps': { type: 'string' },
      'conv-images': { type: 'string' },
      'ingest-images': { type: 'string' },
    },
  });
  const parts = parseParts(values.only);
  const runs = intOption('runs', values.runs, 1, 1, 20);
  const convImages = checkConvImages(intOption('conv-images', values['conv-images'], 256, 32, 65_536));
  // Native TensorFlow reads its thread pools' sizes when it loads: explicit here, so both sides of a ratio use the same.
  if (values.threads !== undefined) {
    const threads = String(intOption('threads', values.threads, 1, 1, 256));
    process.env.TF_NUM_INTRAOP_THREADS = threads;
    process.env.TF_NUM_INTEROP_THREADS = threads;
  }
  const backend = await startBackend(values.backend);
  const progress = (stage: string): void => void process.stderr.write(`bench: ${stage}…\n`);
  const reference = !values['no-reference'];
  const report = parts.has('base') ? await runBench(progress, { reference }) : {};
  // The scene in a real page (Chromium, software WebGL): skipped with the reason where it cannot run.
  if (parts.has('page')) Object.assign(report, await benchPage(progress));
  const figures = await runReferenceFigures(
    parts,
    {
      runs,
      reference,
      convSteps: intOption('conv-steps', values['conv-steps'], 60, 1, 100_000),
      convImages,
      ingestImages: intOption('ingest-images', values['ingest-images'], 1000, 1, 100_000),
    },
    progress,
  );
  process.stdout.write(JSON.stringify({ ...report, ...figures, backend: backend.name, fallbacks: backend.fallbacks, final: true }) + '\n');
}
