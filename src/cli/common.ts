/** Options and set-up shared by the commands. */
import { initBackend, type BackendInfo } from '../engine/backend';
import { UsageError } from './io';

export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  backend: { type: 'string' },
} as const;

export async function startBackend(explicit: string | undefined): Promise<BackendInfo> {
  try {
    return await initBackend(explicit);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
