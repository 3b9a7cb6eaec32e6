/**
 * `latentscape <command>`: train, eval, sample, embed, ingest, interpolate, bench, serve.
 * Each command lives in ./commands/<name>.ts and exports `run(argv)`.
 */
import { UsageError } from './io';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<void> }> }> = {
  train: { summary: 'train a VAE on mnist or an image folder', load: () => import('./commands/train') },
  eval: { summary: 'test loss, importance-sampled log-likelihood and sample Fréchet distances of a model', load: () => import('./commands/eval') },
  sample: { summary: 'decode samples from the prior into a PNG grid', load: () => import('./commands/sample') },
  embed: { summary: 'write every image’s latent mean and 3D view position as CSV', load: () => import('./commands/embed') },
  ingest: { summary: 'load an image folder into the dataset cache', load: () => import('./commands/ingest') },
  interpolate: { summary: 'animate a path through latent space (GIF, WebM, PNG frames)', load: () => import('./commands/interpolate') },
  prepare: { summary: 'store beside a model what the app shows of it (μ, reconstruction error, KL of every image)', load: () => import('./commands/prepare') },
  bench: { summary: 'measure speed on this machine (JSON)', load: () => import('./commands/bench') },
  serve: { summary: 'run the app in a browser over HTTP + WebSocket', load: () => import('./commands/serve') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    'usage: latentscape <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    'Every command takes --json (one JSON object per line) and --backend auto|tensorflow|wasm|cpu.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`latentscape: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    await mod.run(rest);
    return 0;
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
    if (
      err instanceof UsageError ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    )
      return 2;
    return 1;
  }
}
