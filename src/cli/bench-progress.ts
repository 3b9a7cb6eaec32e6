/**
 * `latentscape bench`'s progress. Its parts report stages by name only, so the bar counts stages
 * against the number the chosen parts are known to report (`expectedBenchStages`); on a terminal
 * (stderr a TTY, --json off) that is a bar with an ETA redrawn in place, elsewhere one line per stage.
 */
import type { BenchPart } from './bench-parts';
import { stderrIsTerminal } from './filtered-stderr';
import { createOutput } from './io';

/** The stages each part reports through its `progress` callback (bench.ts, page-bench.ts, bench-figures.ts, …). */
export function expectedBenchStages(parts: ReadonlySet<BenchPart>, options: { runs: number; reference: boolean }): number {
  const perPart: Record<BenchPart, number> = {
    // train mlp, (its PyTorch reference), train conv, decode, embed, ingest, gif, pick
    base: 7 + (options.reference ? 1 : 0),
    page: 2,
    'conv-folder': options.runs,
    'ingest-pillow': 2 * options.runs,
    'first-view': options.runs,
    // writing the model, then idle, sample64 and strip
    memory: 4,
    soak: 2,
    webgpu: 1,
  };
  return [...parts].reduce((sum, part) => sum + perPart[part], 0);
}

export interface BenchProgress {
  /** The `progress(stage)` callback the bench's parts take. */
  stage(stage: string): void;
  /** The bench is over: the bar shows 100 % and the line ends, before the result goes to stdout. */
  finish(): void;
}

/** `now` (ms) is the clock the ETA reads. */
export function benchProgress(expected: number, json: boolean, stderr: NodeJS.WritableStream = process.stderr, now?: () => number): BenchProgress {
  const tty = stderrIsTerminal(stderr) && !json;
  if (!tty) return { stage: (stage) => void stderr.write(`bench: ${stage}…\n`), finish: () => {} };
  // With a bar createOutput writes only to stderr; stdout keeps the final JSON object alone.
  const out = createOutput(false, process.stdout, stderr, now);
  let started = 0;
  const bar = (done: number, label: string): void => out.progress({ label }, { done, total: Math.max(expected, started), label: `bench: ${label}` });
  return {
    stage(stage) {
      // A stage starting means the ones before it are done; a part that reports more than expected stretches the total.
      bar(started++, stage);
    },
    finish() {
      if (started === 0) return;
      bar(Math.max(expected, started), 'done');
      stderr.write('\n');
    },
  };
}
