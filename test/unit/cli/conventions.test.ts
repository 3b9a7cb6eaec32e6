/** The command-line conventions: --help on every command, --version, exit codes, completion. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, exitCodeOf } from '../../../src/cli/main';
import { COMMAND_SPECS } from '../../../src/cli/command-specs';
import { COMMON_OPTION_SPECS, parseOptionsOf, type OptionSpec } from '../../../src/cli/options';
import { bashCompletion, zshCompletion } from '../../../src/cli/completion';
import { CancelledError, UsageError } from '../../../src/cli/io';
import { SAMPLE_QUALITY_COUNT } from '../../../src/engine/quality/sample-quality';
import { runCli } from '../helpers';

// What the stand-in ingest command does: the exit code tests set it.
const ingest = vi.hoisted(() => ({ run: async (_argv: string[]): Promise<number | void> => undefined }));
vi.mock('../../../src/cli/commands/ingest', () => ({ run: (argv: string[]) => ingest.run(argv) }));

afterEach(() => {
  vi.restoreAllMocks();
});

function capture(): { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { stdout: () => out.join(''), stderr: () => err.join('') };
}

const commands = Object.keys(COMMAND_SPECS) as (keyof typeof COMMAND_SPECS)[];

describe('--help', () => {
  it.each(commands)('`%s --help` prints every option with its unit and default, and exits 0', async (name) => {
    const seen = capture();
    expect(await main([name, '--help'])).toBe(0);
    const text = seen.stdout();
    expect(text).toContain(`usage: latentscape ${name}`);
    const options = { ...COMMAND_SPECS[name].options, ...COMMON_OPTION_SPECS } as Record<string, OptionSpec>;
    for (const [option, spec] of Object.entries(options)) {
      const line = text.split('\n').findIndex((l) => new RegExp(`^  (-\\w, )?--${option}( |$)`).test(l));
      expect(line, `--${option}`).toBeGreaterThanOrEqual(0);
      // The option's description is on its line or the next (a long label wraps).
      const described = text
        .split('\n')
        .slice(line, line + 2)
        .join(' ');
      expect(described).toContain(spec.help);
      if (spec.unit) expect(described).toContain(`unit: ${spec.unit}`);
      const shown = spec.default ?? spec.defaultText;
      if (shown) expect(described).toContain(`default: ${shown}`);
    }
    expect(seen.stderr()).toBe('');
  });

  it('-h works too, and a command is not run for its help', async () => {
    const run = vi.spyOn(ingest, 'run');
    const seen = capture();
    expect(await main(['ingest', 'some-folder', '-h'])).toBe(0);
    expect(run).not.toHaveBeenCalled();
    expect(seen.stdout()).toContain('usage: latentscape ingest PATH [options]');
  });

  it('`help COMMAND` is `COMMAND --help`; bare `--help` lists the commands', async () => {
    const seen = capture();
    expect(await main(['help', 'sample'])).toBe(0);
    expect(await main(['--help'])).toBe(0);
    const text = seen.stdout();
    expect(text).toContain('usage: latentscape sample [options]');
    for (const name of commands) expect(text).toContain(`  ${name.padEnd(12)} ${COMMAND_SPECS[name].summary}`);
  });

  it('`latentscape train --help` exits 0 as a process', () => {
    const r = runCli(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--latent N');
  });
});

describe('--version', () => {
  it("prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const seen = capture();
    expect(await main(['--version'])).toBe(0);
    expect(seen.stdout()).toBe(`latentscape ${version}\n`);
  });
});

describe('exit codes', () => {
  it('2 for an unknown option, a bad value or an unknown command', async () => {
    capture();
    expect(await main(['sample', '--bogus'])).toBe(2);
    expect(await main(['sample', '--model', 'm', '--out', 'x.png', '--n', 'lots'])).toBe(2);
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main([])).toBe(2);
  });

  it('1 for a failure, 2 for a usage error and 130 for a cancel thrown by the command', async () => {
    const seen = capture();
    ingest.run = async () => {
      throw new Error('disk on fire');
    };
    expect(await main(['ingest', 'x'])).toBe(1);
    ingest.run = async () => {
      throw new UsageError('ingest takes one folder');
    };
    expect(await main(['ingest', 'x'])).toBe(2);
    ingest.run = async () => {
      throw new CancelledError();
    };
    expect(await main(['ingest', 'x'])).toBe(130);
    expect(seen.stderr()).toContain('latentscape ingest: cancelled');
  });

  it('the code a command returns (train cancelled after an epoch: 130)', async () => {
    capture();
    ingest.run = async () => 130;
    expect(await main(['ingest', 'x'])).toBe(130);
    ingest.run = async () => undefined;
    expect(await main(['ingest', 'x'])).toBe(0);
  });

  it('parseArgs errors are usage errors', () => {
    expect(exitCodeOf(Object.assign(new TypeError('Unknown option'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(2);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('option declarations', () => {
  it('hand fixed defaults to parseArgs, and only those', () => {
    const table = parseOptionsOf(COMMAND_SPECS.bench);
    expect(table.runs).toEqual({ type: 'string', default: '1' });
    expect(table.only).toEqual({ type: 'string' });
    expect(parseOptionsOf(COMMAND_SPECS.serve).allow).toEqual({ type: 'string', multiple: true });
  });

  it("eval's --fd-count default is the engine's sample count", () => {
    expect(COMMAND_SPECS.eval.options['fd-count'].default).toBe(String(SAMPLE_QUALITY_COUNT));
  });
});

describe('completion', () => {
  it('offers every command and every option of each, in bash and zsh', () => {
    const bash = bashCompletion();
    const zsh = zshCompletion();
    for (const name of commands) {
      const bashLine = bash.split('\n').find((l) => l.trimStart().startsWith(`${name}) opts=`));
      const zshLine = zsh.split('\n').find((l) => l.trimStart().startsWith(`${name}) _arguments`));
      for (const option of Object.keys({ ...COMMAND_SPECS[name].options, ...COMMON_OPTION_SPECS })) {
        expect(bashLine, `${name} --${option}`).toMatch(new RegExp(`--${option}\\b`));
        expect(zshLine, `${name} --${option}`).toContain(`--${option}`);
      }
    }
    expect(bash).toContain(`compgen -W 'mlp conv'`);
  });

  it('the bash script is valid bash', () => {
    const r = spawnSync('bash', ['-n'], { input: bashCompletion(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('`completion` prints a script, and refuses an unknown shell with code 2', async () => {
    const seen = capture();
    expect(await main(['completion', 'bash'])).toBe(0);
    expect(seen.stdout()).toContain('complete -o filenames -F _latentscape latentscape');
    expect(await main(['completion', 'fish'])).toBe(2);
  });
});
