/**
 * A `latentscape serve` of a spec's own: a fresh data dir (so the default MNIST model opens as on a
 * first start), started before the spec's tests and stopped (and its folders removed) after them.
 * Call it at the top level of a spec; the returned object's fields are set once the server listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from '@playwright/test';

export interface OwnServe {
  url: string;
  dataDir: string;
  /** The folder the browser may open (the data dir itself unless `separateAllowed`). */
  allowed: string;
  /** Milliseconds from the spawn to the printed URL. */
  launchMs: number;
}

export function ownServe(name: string, options: { env?: NodeJS.ProcessEnv; separateAllowed?: boolean } = {}): OwnServe {
  const served: OwnServe = { url: '', dataDir: '', allowed: '', launchMs: 0 };
  let serve: ChildProcess | null = null;
  const dirs: string[] = [];

  test.beforeAll(async () => {
    served.dataDir = mkdtempSync(join(tmpdir(), `latentscape-e2e-${name}-`));
    served.allowed = options.separateAllowed ? mkdtempSync(join(tmpdir(), `latentscape-e2e-${name}-allowed-`)) : served.dataDir;
    dirs.push(...new Set([served.dataDir, served.allowed]));
    const started = performance.now();
    const args = ['bin/latentscape.js', 'serve', '--port', '0', '--json', '--data-dir', served.dataDir, '--allow', served.allowed];
    serve = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) });
    serve.stderr!.resume();
    served.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve did not print its URL within 60 s')), 60_000);
      serve!.once('exit', (code) => reject(new Error(`serve exited with code ${code}`)));
      createInterface({ input: serve!.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      });
    });
    served.launchMs = performance.now() - started;
  });

  test.afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (serve.exitCode === null) serve.kill('SIGKILL');
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  return served;
}
