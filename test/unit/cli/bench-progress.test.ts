/** `latentscape bench` on a terminal: a progress line with an ETA over the stages its parts report. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { benchProgress, expectedBenchStages } from '../../../src/cli/bench-progress';
import { parseParts } from '../../../src/cli/bench-figures';

function stream(isTTY: boolean): { stream: NodeJS.WritableStream; text: () => string } {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c) => chunks.push(String(c)));
  Object.assign(s, { isTTY });
  return { stream: s, text: () => chunks.join('') };
}
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('expectedBenchStages', () => {
  it('counts the stages each chosen part reports', () => {
    expect(expectedBenchStages(parseParts('base'), { runs: 1, reference: true })).toBe(8);
    expect(expectedBenchStages(parseParts('base'), { runs: 1, reference: false })).toBe(7);
    expect(expectedBenchStages(parseParts('conv-folder,first-view'), { runs: 3, reference: true })).toBe(6);
    expect(expectedBenchStages(parseParts('memory,soak,page'), { runs: 1, reference: true })).toBe(8);
  });
});

describe('the bench progress line', () => {
  it('on a TTY draws a bar with the stage and an ETA from the stages done so far', async () => {
    const err = stream(true);
    let clock = 0;
    const progress = benchProgress(4, false, err.stream, () => clock);
    progress.stage('train mlp');
    clock = 10_000;
    progress.stage('decode'); // 1 of 4 stages in 10 s: 3 left take 30 s
    await flush();
    const frames = err.text().split('\r\x1b[2K');
    expect(frames.at(-1)).toBe(`bench: decode [${'#'.repeat(8)}${'.'.repeat(22)}] 25% ETA 30 s`);
    expect(frames).toContain(`bench: train mlp [${'.'.repeat(30)}] 0% ETA –`);
    progress.finish();
    await flush();
    expect(err.text()).toMatch(/bench: done \[#{30}\] 100% .*\n$/);
  });

  it('a part that reports more stages than expected stretches the total instead of passing 100 %', async () => {
    const err = stream(true);
    const progress = benchProgress(1, false, err.stream, () => 0);
    progress.stage('a');
    progress.stage('b');
    progress.stage('c');
    await flush();
    expect(err.text().split('\r\x1b[2K').at(-1)).toMatch(/^bench: c \[.*\] 67% /);
  });

  it('with --json or off a terminal, one plain line per stage and no bar', async () => {
    for (const [tty, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const err = stream(tty);
      const progress = benchProgress(2, json, err.stream, () => 0);
      progress.stage('train mlp');
      progress.finish();
      await flush();
      expect(err.text()).toBe('bench: train mlp…\n');
    }
  });
});
