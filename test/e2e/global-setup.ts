/**
 * Builds the renderer (out/renderer) and starts `latentscape serve --port 0` with a temp data dir;
 * the URL (with its token) reaches the tests through LATENTSCAPE_E2E_URL. Returns the teardown.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'vite';
import { rendererConfig } from '../../electron.vite.config';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = performance.now();
  await build({ ...(rendererConfig as object), configFile: false, logLevel: 'warn' });
  const buildSeconds = (performance.now() - started) / 1000;

  const dataDir = mkdtempSync(join(tmpdir(), 'latentscape-e2e-'));
  const allowDir = mkdtempSync(join(tmpdir(), 'latentscape-e2e-allowed-'));
  const child = spawn(process.execPath, ['bin/latentscape.js', 'serve', '--port', '0', '--json', '--data-dir', dataDir, '--allow', allowDir], {
    // wasm unless told otherwise: the backend every machine has (backends.spec.ts covers tensorflow).
    env: { ...process.env, LATENTSCAPE_EXPOSE_ENGINE_PID: '1', LATENTSCAPE_BACKEND: process.env.LATENTSCAPE_BACKEND || 'wasm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const listening = await new Promise<{ url: string; token: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL within 60 s: ${stderr.slice(-500)}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`serve exited with code ${code}: ${stderr.slice(-500)}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`serve printed something other than JSON: ${line.slice(0, 200)}`));
      }
    });
  });
  process.env.LATENTSCAPE_E2E_URL = listening.url;
  process.env.LATENTSCAPE_E2E_ALLOWED = allowDir;
  process.stdout.write(`[e2e] renderer built in ${buildSeconds.toFixed(1)} s; serve at ${listening.url.replace(/token=.*/, 'token=…')}\n`);

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(allowDir, { recursive: true, force: true });
  };
}
