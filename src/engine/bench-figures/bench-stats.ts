/**
 * The arithmetic of the figures measured against a reference (`*_vs_*`): ratios, their median over
 * runs, and the machine's state recorded beside each run, since the machine may be shared and a ratio
 * means little without knowing how busy it was.
 */
import { availableParallelism, loadavg } from 'node:os';

export interface MachineState {
  /** The 1-, 5- and 15-minute load averages as the run started and as it ended. */
  load_before: number[];
  load_after: number[];
  cores: number;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The middle value; the mean of the two middle ones for an even count; null for none. */
export function median(values: readonly number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

/** ours ÷ reference; null where either is not a positive, finite rate (a ratio of those would mislead). */
export function ratio(ours: number, reference: number): number | null {
  if (!(ours > 0) || !(reference > 0) || !Number.isFinite(ours) || !Number.isFinite(reference)) return null;
  return ours / reference;
}

const loads = (): number[] => loadavg().map((v) => round(v, 2));

/** Runs `measure` and records the load average around it. */
export async function withMachineState<T>(measure: () => Promise<T>): Promise<{ result: T; machine: MachineState }> {
  const load_before = loads();
  const result = await measure();
  return { result, machine: { load_before, load_after: loads(), cores: availableParallelism() } };
}

/** One figure over several runs: each run's ratio (null where that run had no reference) and the median of those that had one. */
export function summariseRuns(ratios: readonly (number | null)[], digits = 2): { runs: (number | null)[]; median: number | null } {
  const runs = ratios.map((r) => (r === null ? null : round(r, digits)));
  const m = median(ratios.filter((r): r is number => r !== null));
  return { runs, median: m === null ? null : round(m, digits) };
}
