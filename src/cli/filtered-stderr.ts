/**
 * Quiet by default, for the start-up lines no log level reaches (native-logs.ts): a command that may
 * load native TensorFlow runs again as a child whose stderr passes through nativeLineFilter. The
 * child has its own process group, so a terminal's Ctrl-C reaches this process only, which passes each
 * signal on once; its exit code is this process's. --verbose, a wasm or cpu backend, `serve` (its
 * engine's stderr is already shown only with --verbose) and `completion` run as they are.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { nativeLineFilter } from './native-logs';

const FILTERED = 'LATENTSCAPE_STDERR_FILTERED';
/** The child's stderr is a pipe: whether the parent's is a terminal (progress bars) comes with it. */
const STDERR_TTY = 'LATENTSCAPE_STDERR_TTY';

function backendFlag(flags: string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === '--backend') value = flags[++i];
    else if (flags[i].startsWith('--backend=')) value = flags[i].slice('--backend='.length);
  }
  return value;
}

/** Whether `latentscape <command> <flags>` may load native TensorFlow and is to run behind the filter. */
export function needsStderrFilter(command: string, flags: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[FILTERED] === '1' || command === 'serve' || command === 'completion' || flags.includes('--verbose')) return false;
  const backend = backendFlag(flags) ?? env.LATENTSCAPE_BACKEND ?? 'auto';
  return backend === 'auto' || backend === 'tensorflow';
}

/** A terminal: stderr itself, or for the filtered child its parent's. */
export function stderrIsTerminal(stream: NodeJS.WritableStream): boolean {
  return Boolean((stream as NodeJS.WriteStream).isTTY) || (stream === process.stderr && process.env[STDERR_TTY] === '1');
}

/** Runs `latentscape <argv>` as the filtered child (the same entry script); resolves to its exit code. */
export function runBehindFilter(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    stdio: ['inherit', 'inherit', 'pipe'],
    detached: true,
    env: { ...process.env, [FILTERED]: '1', ...(process.stderr.isTTY ? { [STDERR_TTY]: '1' } : {}) },
  });
  const filter = nativeLineFilter((text) => void process.stderr.write(text));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => filter.push(chunk));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    const done = (code: number): void => {
      filter.end();
      for (const s of signals) process.off(s, forward);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`latentscape: could not start the command: ${err.message}\n`);
      done(1);
    });
    child.once('close', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** In the filtered child: end with the parent (killed outright), instead of living on in a process group of its own. */
export function followParent(env: NodeJS.ProcessEnv = process.env): void {
  if (env[FILTERED] !== '1') return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}
