import { parseArgs } from 'node:util';
import { runBench } from '../../engine/bench';
import { COMMON_OPTIONS, startBackend } from '../common';
import { benchMemory } from '../memory-bench';
import { benchPage } from '../page-bench';

/** Always JSON: progress lines on stderr, one final JSON object on stdout. `--memory`: only the peak-memory figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...COMMON_OPTIONS, 'no-reference': { type: 'boolean' }, memory: { type: 'boolean' } },
  });
  const backend = await startBackend(values.backend);
  const progress = (stage: string): void => void process.stderr.write(`bench: ${stage}…\n`);
  const report = values.memory ? {} : await runBench(progress, { reference: !values['no-reference'] });
  // Peak memory of sample and the library strip on the largest model the caps allow, each in a child process.
  Object.assign(report, await benchMemory(progress));
  // The scene in a real page (Chromium, software WebGL): skipped with the reason where it cannot run.
  if (!values.memory) Object.assign(report, await benchPage(progress));
  process.stdout.write(JSON.stringify({ ...report, backend: backend.name, fallbacks: backend.fallbacks, final: true }) + '\n');
}
