/** The progress line on a terminal: a bar with an ETA, only when stderr is a TTY and --json is off. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput, formatEta } from '../../../src/cli/io';

function stream(isTTY: boolean): { stream: NodeJS.WritableStream; text: () => string } {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c) => chunks.push(String(c)));
  Object.assign(s, { isTTY });
  return { stream: s, text: () => chunks.join('') };
}

describe('formatEta', () => {
  it('reads as seconds, minutes:seconds or hours:minutes:seconds', () => {
    expect(formatEta(42.4)).toBe('ETA 42 s');
    expect(formatEta(187)).toBe('ETA 3:07');
    expect(formatEta(3723)).toBe('ETA 1:02:03');
    expect(formatEta(null)).toBe('ETA –');
  });
});

describe('the progress bar', () => {
  it('on a TTY shows the ETA at the rate since the bar started', async () => {
    const out = stream(false);
    const err = stream(true);
    let clock = 1000;
    const o = createOutput(false, out.stream, err.stream, () => clock);
    o.progress({ done: 0 }, { done: 0, total: 100, label: 'ingest' });
    clock += 5000; // 20 done in 5 s: 80 left take 20 s
    o.progress({ done: 20 }, { done: 20, total: 100, label: 'ingest' });
    await new Promise((r) => setImmediate(r));
    const last = err.text().split('\r\x1b[2K').at(-1);
    expect(last).toBe(`ingest [${'#'.repeat(6)}${'.'.repeat(24)}] 20% ETA 20 s`);
    expect(err.text()).toContain('ingest [..............................] 0% ETA –');
    expect(out.text()).toBe('');
  });

  it('starts a new estimate when the total changes or the count goes back', async () => {
    const err = stream(true);
    let clock = 0;
    const o = createOutput(false, stream(false).stream, err.stream, () => clock);
    o.progress({}, { done: 0, total: 10, label: 'a' });
    clock = 100_000; // slow first bar: 1 done in 100 s
    o.progress({}, { done: 1, total: 10, label: 'a' });
    o.progress({}, { done: 0, total: 50, label: 'b' });
    clock += 1000;
    o.progress({}, { done: 10, total: 50, label: 'b' });
    await new Promise((r) => setImmediate(r));
    expect(err.text().split('\r\x1b[2K').at(-1)).toMatch(/^b \[.*\] 20% ETA 4 s$/);
  });

  it('draws nothing when stderr is not a terminal, or with --json', async () => {
    const plain = stream(false);
    createOutput(false, stream(false).stream, plain.stream, () => 0).progress({ done: 1 }, { done: 1, total: 2, label: 'x' });
    const tty = stream(true);
    const json = stream(false);
    createOutput(true, json.stream, tty.stream, () => 0).progress({ done: 1 }, { done: 1, total: 2, label: 'x' });
    await new Promise((r) => setImmediate(r));
    expect(plain.text()).toBe('');
    expect(tty.text()).toBe('');
    expect(JSON.parse(json.text())).toEqual({ done: 1 });
  });
});
