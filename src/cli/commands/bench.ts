import { parseArgs } from 'node:util';
import { runBench } from '../../engine/bench';
import { COMMON_OPTIONS, startBackend } from '../common';
import { intOption } from '../io';
import { benchPage } from '../page-bench';
import { benchSoak } from '../soak-bench';

/** Always JSON: progress lines on stderr, one final JSON object on stdout. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      'no-reference': { type: 'boolean' },
      'soak-only': { type: 'boolean' },
      'soak-clients': { type: 'string' },
      'soak-seconds': { type: 'string' },
    },
  });
  const progress = (stage: string): void => void process.stderr.write(`bench: ${stage}…\n`);
  // The serve host under a flood (src/cli/soak-bench.ts): N flooding sockets, one not reading, for M seconds.
  const soak = {
    clients: intOption('soak-clients', values['soak-clients'], 6, 2, 32),
    seconds: intOption('soak-seconds', values['soak-seconds'], 30, 1, 600),
    ...(values.backend ? { backend: values.backend } : {}),
  };
  if (values['soak-only']) {
    process.stdout.write(JSON.stringify({ ...(await benchSoak(progress, soak)), final: true }) + '\n');
    return;
  }
  const backend = await startBackend(values.backend);
  const report = await runBench(progress, { reference: !values['no-reference'] });
  // The scene in a real page (Chromium, software WebGL): skipped with the reason where it cannot run.
  Object.assign(report, await benchPage(progress));
  Object.assign(report, await benchSoak(progress, soak));
  process.stdout.write(JSON.stringify({ ...report, backend: backend.name, fallbacks: backend.fallbacks, final: true }) + '\n');
}
