import { parseArgs } from 'node:util';
import { runBench } from '../../engine/bench';
import { COMMON_OPTIONS, startBackend } from '../common';
import { benchPage } from '../page-bench';

/** Always JSON: progress lines on stderr, one final JSON object on stdout. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...COMMON_OPTIONS, 'no-reference': { type: 'boolean' } } });
  const backend = await startBackend(values.backend);
  const progress = (stage: string): void => void process.stderr.write(`bench: ${stage}…\n`);
  const report = await runBench(progress, { reference: !values['no-reference'] });
  // The scene in a real page (Chromium, software WebGL): skipped with the reason where it cannot run.
  Object.assign(report, await benchPage(progress));
  process.stdout.write(JSON.stringify({ ...report, backend: backend.name, fallbacks: backend.fallbacks, final: true }) + '\n');
}
