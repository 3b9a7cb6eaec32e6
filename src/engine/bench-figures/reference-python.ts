/**
 * Runs a reference script of scripts/reference under a Python that has what it needs (torch, Pillow),
 * for the figures of `latentscape bench` that are measured against a reference in the same run. Where
 * no Python has it, or the script is not here, the caller gets the reason instead of a result.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Pythons to try, in order: LATENTSCAPE_REFERENCE_PYTHON, then python3 on PATH, then Debian's. */
export function referencePythons(): string[] {
  const fromEnv = process.env.LATENTSCAPE_REFERENCE_PYTHON;
  return fromEnv ? [fromEnv] : ['python3', '/usr/bin/python3'];
}

/** src/engine/bench-figures (tsx) sits three levels below the repository root. Not a literal: bundlers would copy it. */
export function referenceScript(name: string): string {
  return fileURLToPath(new URL(['..', '..', '..', 'scripts', 'reference', name].join('/'), import.meta.url));
}

/**
 * The last line of `stdout` that is a JSON object, or null. The scripts print one result line; anything
 * a library prints before it is not the result.
 */
export function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value: unknown = JSON.parse(lines[i]);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not JSON after all: look further up.
    }
  }
  return null;
}

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

function runOnce(python: string, args: string[], timeoutMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr, error });
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ...(signal ? { error: new Error(`killed by ${signal} (time limit ${timeoutMs / 1000} s)`) } : {}) });
    });
  });
}

/**
 * Runs `script` (a file name in scripts/reference) with `args` under the first Python that completes
 * it, and returns its JSON result line; otherwise why not, naming `needs` (e.g. "torch").
 * Asynchronous, so a caller's progress and cancellation keep working while the reference runs.
 */
export async function runReferenceScript(script: string, args: string[], needs: string, timeoutMs = 600_000): Promise<Record<string, unknown> | string> {
  const path = referenceScript(script);
  if (!existsSync(path)) return `unavailable: scripts/reference/${script} is not here`;
  const tried: string[] = [];
  for (const python of referencePythons()) {
    const r = await runOnce(python, [path, ...args], timeoutMs);
    if (r.status === 0) {
      const result = lastJsonLine(r.stdout);
      if (result) return result;
      tried.push(`${python}: printed no JSON result`);
      continue;
    }
    const why = r.error ? r.error.message : r.stderr.trim().split('\n').pop() || `exit ${r.status}`;
    tried.push(`${python}: ${why}`);
  }
  return `unavailable (no Python with ${needs}: ${tried.join('; ')})`;
}
