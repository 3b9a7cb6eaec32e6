/**
 * `latentscape <command>`: train, eval, sample, embed, encode, ingest, interpolate, prepare, bench, serve, completion.
 * Each command lives in ./commands/<name>.ts and exports `run(argv)`; its options are declared in
 * ./command-specs.ts, which `--help` reads without loading the command.
 */
import { readFileSync } from 'node:fs';
import { CancelledError, UsageError } from './io';
import { COMMAND_SPECS, type CommandName } from './command-specs';
import { helpText } from './options';
import { quietNativeLogs } from './native-logs';
import { followParent, needsStderrFilter, runBehindFilter } from './filtered-stderr';

/** `run` resolves to the exit code when it is not 0 (train cancelled after an epoch: 130, its model kept). */
type CommandModule = { run(argv: string[]): Promise<number | void> };
const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  train: () => import('./commands/train'),
  eval: () => import('./commands/eval'),
  sample: () => import('./commands/sample'),
  embed: () => import('./commands/embed'),
  encode: () => import('./commands/encode'),
  ingest: () => import('./commands/ingest'),
  interpolate: () => import('./commands/interpolate'),
  prepare: () => import('./commands/prepare'),
  bench: () => import('./commands/bench'),
  serve: () => import('./commands/serve'),
  completion: async () => ({
    run: async (argv) => {
      const { completionScript } = await import('./completion');
      const shells = argv.filter((a) => !a.startsWith('-'));
      if (shells.length > 1) throw new UsageError('completion takes one shell: latentscape completion bash|zsh');
      process.stdout.write(completionScript(shells[0]));
    },
  }),
};

function usage(): string {
  const rows = Object.entries(COMMAND_SPECS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    'usage: latentscape <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    'Every command takes --json (one JSON object per line), --backend auto|webgpu|tensorflow|wasm|cpu, --verbose and --help.',
    '`latentscape <command> --help` lists its options. Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled (Ctrl-C).',
  ].join('\n');
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Options before a bare `--` (after it, every word is an argument). */
function flagsOf(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

const USAGE_CODES = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);

/** The exit code of a failed command: 2 for bad usage, 130 when the user cancelled, else 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || USAGE_CODES.has((err as { code?: string })?.code ?? '')) return 2;
  if (err instanceof CancelledError) return 130;
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`latentscape ${version()}\n`);
    return 0;
  }
  if (name === 'help' && rest[0] !== undefined && Object.hasOwn(COMMAND_SPECS, rest[0])) {
    process.stdout.write(helpText(rest[0], COMMAND_SPECS[rest[0] as CommandName]) + '\n');
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(COMMAND_SPECS, name)) {
    process.stderr.write(`latentscape: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const command = name as CommandName;
  const flags = flagsOf(rest);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(helpText(command, COMMAND_SPECS[command]) + '\n');
    return 0;
  }
  quietNativeLogs(flags.includes('--verbose'));
  // Only from the entry script (bin/latentscape.js), which the child runs again; never from a test calling main().
  if (needsStderrFilter(command, flags) && /latentscape(\.js)?$/.test(process.argv[1] ?? '')) return runBehindFilter(argv);
  followParent();
  try {
    const mod = await LOADERS[command]();
    return (await mod.run(rest)) ?? 0;
  } catch (err) {
    const e = err as Error;
    const message = e?.message ?? String(err);
    process.stderr.write(`latentscape ${name}: ${message}\n`);
    // Under --json the failure is the final line too, so a script reading stdout learns why (serve prints its own).
    if (name !== 'serve' && rest.includes('--json')) {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
      process.stdout.write(JSON.stringify({ error: message, ...(code ? { code } : {}), final: true }) + '\n');
    }
    if (process.env.LATENTSCAPE_DEBUG && e?.stack) process.stderr.write(e.stack + '\n');
    return exitCodeOf(err);
  }
}
