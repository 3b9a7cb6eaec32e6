import { parseArgs } from 'node:util';
import { runBench } from '../../engine/bench';
import { COMMON_OPTIONS, startBackend } from '../common';

/** Always JSON: progress lines on stderr, one final JSON object on stdout. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...COMMON_OPTIONS, 'no-reference': { type: 'boolean' } } });
  const backend = await startBackend(values.backend);
  const report = await runBench((stage) => process.stderr.write(`bench: ${stage}…\n`), { reference: !values['no-reference'] });
  process.stdout.write(JSON.stringify({ ...report, backend: backend.name, fallbacks: backend.fallbacks, final: true }) + '\n');
}
