import { runBench } from '../../engine/bench';
import { nativeTensorflowVersion } from '../../engine/backend-choice';
import { startBackend } from '../common';
import { UsageError, intOption } from '../io';
import { checkConvImages, parseParts, runReferenceFigures } from '../bench-figures';
import { benchMemory } from '../memory-bench';
import { benchPage } from '../page-bench';
import { benchSoak } from '../soak-bench';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';
import { benchProgress, expectedBenchStages } from '../bench-progress';

/** Always JSON: one final JSON object on stdout; progress on stderr (a bar with an ETA on a terminal without --json). `--memory`: only the peak-memory figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.bench, argv);
  if ((values['soak-only'] || values.memory) && values.only !== undefined)
    throw new UsageError('--soak-only and --memory are --only soak and --only memory: give one of them');
  const parts = parseParts(
    values['soak-only'] || values.memory ? [values['soak-only'] && 'soak', values.memory && 'memory'].filter(Boolean).join(',') : values.only,
  );
  const runs = intOption('runs', values.runs, 1, 1, 20);
  const convImages = checkConvImages(intOption('conv-images', values['conv-images'], 256, 32, 65_536));
  // The serve host under a flood (src/cli/soak-bench.ts): N flooding sockets, one not reading, for M seconds.
  const soak = {
    clients: intOption('soak-clients', values['soak-clients'], 6, 2, 32),
    seconds: intOption('soak-seconds', values['soak-seconds'], 30, 1, 600),
    ...(values.backend ? { backend: values.backend } : {}),
  };
  // Native TensorFlow reads its thread pools' sizes when it loads: explicit here, so both sides of a ratio use the same.
  if (values.threads !== undefined) {
    const threads = String(intOption('threads', values.threads, 1, 1, 256));
    process.env.TF_NUM_INTRAOP_THREADS = threads;
    process.env.TF_NUM_INTEROP_THREADS = threads;
  }
  const reference = !values['no-reference'];
  const bar = benchProgress(expectedBenchStages(parts, { runs, reference }), Boolean(values.json));
  const progress = (stage: string): void => bar.stage(stage);
  if (parts.size === 1 && parts.has('soak')) {
    // The soak runs its own serve process: this one loads no backend.
    const soakReport = await benchSoak(progress, soak);
    bar.finish();
    process.stdout.write(JSON.stringify({ ...soakReport, final: true }) + '\n');
    return;
  }
  const backend = await startBackend(values.backend);
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
  // Peak memory of sample and the library strip on the largest model the caps allow, each in a child process.
  if (parts.has('memory')) Object.assign(figures, await benchMemory(progress));
  if (parts.has('soak')) Object.assign(figures, await benchSoak(progress, soak));
  // Last: it switches the engine to webgpu for its figure, then back.
  if (parts.has('webgpu')) {
    progress('train mlp: webgpu');
    Object.assign(figures, await (await import('../../engine/bench-figures/webgpu-bench')).benchWebgpu());
  }
  bar.finish();
  // `adapter`: the GPU the figures above ran on, when the backend is webgpu; the webgpu row names its own.
  const adapter = backend.adapter ? { adapter: backend.adapter } : {};
  // Which TensorFlow library the native figures ran on: CI's and users' installs differ (docs/PERFORMANCE.md).
  const library = backend.name === 'tensorflow' ? { tensorflow_version: nativeTensorflowVersion() } : {};
  process.stdout.write(
    JSON.stringify({ ...report, ...figures, backend: backend.name, ...adapter, ...library, fallbacks: backend.fallbacks, final: true }) + '\n',
  );
}
