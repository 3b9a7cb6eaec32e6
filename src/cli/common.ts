/** Options and set-up shared by the commands. */
import { initBackend, type BackendInfo } from '../engine/backend';
import { UsageError, type CliOutput } from './io';
import { parseBackground } from '../shared/background';
import type { Background } from '../shared/vocabulary';

/**
 * Starts the tfjs backend; with `out`, every JSON line it prints from now on names the backend and
 * the backends passed over, with why (`fallbacks`).
 */
export async function startBackend(explicit: string | undefined, out?: CliOutput): Promise<BackendInfo> {
  try {
    const info = await initBackend(explicit);
    out?.stamp({ backend: info.name, fallbacks: info.fallbacks, ...(info.adapter ? { adapter: info.adapter } : {}) });
    return info;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** --background: 'white', 'black' or '#rrggbb' (also '#rgb'); undefined when not given. */
export function backgroundOption(raw: string | undefined): Background | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseBackground(raw);
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
}
