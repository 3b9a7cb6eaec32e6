/**
 * `latentscape serve [--port 0] [--host 127.0.0.1] [--data-dir DIR] [--allow DIR]…`: the app in a
 * browser. Starts the engine process and the HTTP + WebSocket host, prints the URL with its access
 * token (with --json: one line {url, host, port, token}), and runs until Ctrl+C.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkNodeEngine } from '../../service/node-engine';
import type { EngineChannel } from '../../service/engine-client';
import type { RunningHost } from '../../host/server';
import type { AppService } from '../../service/service';
import { UsageError, createOutput, intOption } from '../io';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function defaultDataDir(): string {
  return process.env.LATENTSCAPE_DATA_DIR || join(homedir(), '.latentscape');
}

/** The data dir must be a folder we can write (created if missing): checked before anything starts. */
async function checkDataDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`--data-dir ${dir} is not a folder`);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--data-dir ${dir} cannot be used (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function run(argv: string[]): Promise<void> {
  try {
    await serve(argv);
  } catch (err) {
    // With --json the failure is a JSON line too (the message also goes to stderr, and the exit code is non-zero).
    if (argv.includes('--json')) process.stdout.write(JSON.stringify({ error: (err as Error)?.message ?? String(err), final: true }) + '\n');
    throw err;
  }
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.serve, argv);
  const out = createOutput(Boolean(values.json));
  const port = intOption('port', values.port, 0, 0, 65535);
  const host = values.host ?? '127.0.0.1';
  if (!host) throw new UsageError('--host must not be empty');
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  // Folders the browser may open by typed path; the current folder unless --allow says otherwise.
  const allowed = (values.allow ?? [process.cwd()]).map((p) => resolve(p));
  const rendererDir = process.env.LATENTSCAPE_RENDERER_DIR ?? join(REPO, 'out', 'renderer');
  await checkDataDir(dataDir);

  // The engine's start is the longest wait of a first view: it begins before the host and the service
  // are loaded (about half a second), and the service takes this engine for its first start.
  let early: EngineChannel | null = forkNodeEngine();
  const spawnEngine = (): EngineChannel => {
    const engine = early ?? forkNodeEngine();
    early = null;
    return engine;
  };
  let running: RunningHost;
  let service: AppService;
  try {
    const [{ startHost }, serviceModule] = await Promise.all([import('../../host/server'), import('../../service/service')]);
    service = new serviceModule.AppService({
      dataDir,
      allowedRoots: allowed,
      pathHint: 'start `latentscape serve` with --allow DIR to open folders there',
      spawnEngine,
      defaultModelDir: join(REPO, 'resources', 'default-model'),
      backend: values.backend,
      exposeEnginePid: process.env.LATENTSCAPE_EXPOSE_ENGINE_PID === '1',
      nativeDialogs: false,
    });
    running = await startHost({ service, rendererDir, host, port });
  } catch (err) {
    // The host could not start (a port in use…): the engine started for it goes too.
    (early as EngineChannel | null)?.kill();
    throw err;
  }
  if (out.json) out.progress({ url: running.url, host: running.host, port: running.port, token: running.token, data_dir: dataDir, allowed });
  else {
    process.stdout.write(`Latentscape is running at ${running.url}\n`);
    out.info(`data: ${dataDir}; folders the browser may open: ${allowed.join(', ')}; Ctrl+C stops`);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
      out.info(`warning: listening on ${host}, not only this machine; anyone with the token can use the app`);
  }

  const stopped = new Promise<string>((r) => {
    process.once('SIGINT', () => r('SIGINT'));
    process.once('SIGTERM', () => r('SIGTERM'));
  });
  // The engine starts in the background: the page shows its state as it comes up.
  service.start().catch((err: Error) => {
    if (out.json) out.progress({ engine_error: `the engine failed to start: ${err.message}` });
    else out.info(`the engine failed to start: ${err.message}`);
  });
  const signal = await stopped;
  early?.kill();
  await service.stop();
  await running.close();
  out.final({ stopped: signal });
}
