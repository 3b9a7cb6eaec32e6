/** What the service tests with the real engine share: calls through dispatch as a transport makes them, waits and temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { dispatch } from '../../../src/service/dispatch';
import type { AppService } from '../../../src/service/service';

type Name = Parameters<typeof dispatch>[1];

export async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A call that must succeed: its value. */
export async function call<T>(service: AppService, name: Name, args: unknown): Promise<T> {
  const r = await dispatch(service.handlers, name, args);
  if (!r.ok) throw Object.assign(new Error(`${String(name)}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

/** A call that must be refused: its error. */
export async function refusal(service: AppService, name: Name, args: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(service.handlers, name, args);
  if (r.ok) throw new Error(`${String(name)} accepted ${JSON.stringify(args)}`);
  return r.error;
}

/** A temp-folder factory whose folders are removed after the file's tests. */
export function tempDirs(prefix: string): (name: string) => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (name) => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-${name}-`));
    made.push(dir);
    return dir;
  };
}
