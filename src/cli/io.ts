/**
 * Output of the `latentscape` command: with --json one JSON object per line (progress lines, then a
 * final line with "final": true); otherwise a progress bar on a TTY and a readable summary.
 */
import { stderrIsTerminal } from './filtered-stderr';

/** Bad usage: the command line cannot run as given (exit code 2). */
export class UsageError extends Error {}
/** The user stopped the command (Ctrl-C): exit code 130, as a shell gives a process SIGINT ended. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export interface CliOutput {
  json: boolean;
  /** A progress or per-epoch record. JSON mode prints it as a line; TTY mode shows a bar. */
  progress(record: Record<string, unknown>, bar?: { done: number; total: number; label: string }): void;
  /** The result. JSON mode adds "final": true; text mode prints `text` when given, else the record's fields. */
  final(record: Record<string, unknown>, text?: string): void;
  /** Human-readable information (stderr, so stdout stays machine-readable). */
  info(message: string): void;
  /** Fields added to every JSON line from now on (e.g. the backend, once chosen). */
  stamp(fields: Record<string, unknown>): void;
}

/** "ETA 42 s", "ETA 3:07", "ETA 1:02:03": the time left at the rate so far; "ETA –" before there is a rate. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return 'ETA –';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  if (h) return `ETA ${h}:${two(m)}:${two(s % 60)}`;
  return m ? `ETA ${m}:${two(s % 60)}` : `ETA ${s} s`;
}

/** Seconds left for `total` at the rate from `first` (the first report of this bar) to now. */
export function etaSeconds(first: { done: number; at: number }, done: number, total: number, now: number): number | null {
  const rate = (done - first.done) / (now - first.at);
  if (!(rate > 0) || !Number.isFinite(rate)) return null;
  return (total - done) / rate / 1000;
}

/**
 * With --json, progress is JSON lines on stdout; without, on a terminal (stderr a TTY) a bar with an
 * ETA redrawn in place, and nothing of it where stderr is a file or a pipe. `now` (ms) is the clock.
 */
export function createOutput(
  json: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
  now: () => number = () => performance.now(),
): CliOutput {
  const tty = stderrIsTerminal(stderr) && !json;
  let barShown = false;
  let stamped: Record<string, unknown> = {};
  // Where the current bar started: a new total, or a count going back, starts another.
  let first: { done: number; total: number; at: number } | null = null;
  const clearBar = (): void => {
    if (barShown) {
      stderr.write('\r\x1b[2K');
      barShown = false;
    }
  };
  return {
    json,
    progress(record, bar) {
      if (json) {
        stdout.write(JSON.stringify({ ...record, ...stamped }) + '\n');
        return;
      }
      if (bar && tty) {
        const at = now();
        if (!first || first.total !== bar.total || bar.done < first.done) first = { done: bar.done, total: bar.total, at };
        const width = 30;
        const frac = bar.total > 0 ? Math.min(1, bar.done / bar.total) : 0;
        const filled = Math.round(frac * width);
        const eta = formatEta(etaSeconds(first, bar.done, bar.total, at));
        stderr.write(`\r\x1b[2K${bar.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${eta}`);
        barShown = true;
      } else if (!bar) {
        clearBar();
        stderr.write(formatRecord(record) + '\n');
      }
    },
    final(record, text) {
      clearBar();
      if (json) stdout.write(JSON.stringify({ ...record, ...stamped, final: true }) + '\n');
      else stdout.write((text ?? formatRecord(record)) + '\n');
    },
    stamp(fields) {
      stamped = { ...stamped, ...fields };
    },
    info(message) {
      clearBar();
      if (!json) stderr.write(message + '\n');
    },
  };
}

function formatRecord(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('  ');
}

/** Parses a positive integer option or throws a UsageError naming it. */
export function intOption(name: string, raw: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function numberOption(name: string, raw: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}
