/**
 * The one declaration of a command's options: parseArgs' option table, the `--help` text and the
 * shell completion scripts are all derived from it, so they cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  /** A fixed default: handed to parseArgs, so the command sees it when the option is not given. */
  default?: string;
  /** A default that depends on something else (the dataset, the model): shown, not applied. */
  defaultText?: string;
  unit?: string;
  /** What the value is, in the usage line: N, DIR, FILE… */
  value?: string;
  choices?: readonly string[];
  multiple?: boolean;
  short?: string;
}

export interface CommandSpec {
  summary: string;
  /** Positional arguments, as the usage line shows them (e.g. 'PATH'); none when absent. */
  positionals?: string;
  options: Record<string, OptionSpec>;
}

/** Every command takes these. */
export const COMMON_OPTION_SPECS = {
  json: { type: 'boolean', help: 'print one JSON object per line (progress, then a final line with "final": true)' },
  backend: { type: 'string', help: 'tfjs backend', choices: ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'], defaultText: 'auto, or $LATENTSCAPE_BACKEND' },
  verbose: { type: 'boolean', help: "show native TensorFlow's start-up log lines on stderr" },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
} as const satisfies Record<string, OptionSpec>;

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

/** parseArgs' option table for a command (the common options included). */
export function parseOptionsOf(spec: CommandSpec): ParseOptions {
  const table: ParseOptions = {};
  for (const [name, o] of Object.entries({ ...COMMON_OPTION_SPECS, ...spec.options } as Record<string, OptionSpec>)) {
    table[name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
      ...(o.default !== undefined ? { default: o.multiple ? [o.default] : o.default } : {}),
    };
  }
  return table;
}

type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;
/** What parseArgs gives for a declaration: every option may be absent unless it has a fixed default. */
export type ParsedValues<S extends CommandSpec> = {
  [K in keyof S['options']]?: ValueOf<S['options'][K]>;
} & { [K in keyof typeof COMMON_OPTION_SPECS]?: ValueOf<(typeof COMMON_OPTION_SPECS)[K]> };

/** Parses a command's arguments against its declaration (strict: an unknown option is a usage error). */
export function parseCommandArgs<S extends CommandSpec>(spec: S, args: string[]): { values: ParsedValues<S>; positionals: string[] } {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: spec.positionals !== undefined, options: parseOptionsOf(spec) });
  return { values: values as ParsedValues<S>, positionals };
}

function optionLabel(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  if (o.type === 'boolean') return flag;
  return `${flag} ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}`;
}

function optionDetails(o: OptionSpec): string {
  const notes = [
    o.unit ? `unit: ${o.unit}` : '',
    o.default !== undefined ? `default: ${o.default}` : o.defaultText ? `default: ${o.defaultText}` : '',
    o.multiple ? 'repeatable' : '',
  ].filter(Boolean);
  return notes.length ? `${o.help} (${notes.join('; ')})` : o.help;
}

/** The `latentscape NAME --help` text: usage, summary, then each option with its unit and default. */
export function helpText(name: string, spec: CommandSpec): string {
  const own = Object.entries(spec.options);
  const common = Object.entries(COMMON_OPTION_SPECS as Record<string, OptionSpec>);
  const width = Math.min(34, Math.max(...[...own, ...common].map(([n, o]) => optionLabel(n, o).length)) + 2);
  const row = ([n, o]: [string, OptionSpec]): string => {
    const label = optionLabel(n, o);
    return label.length + 2 > width ? `  ${label}\n  ${' '.repeat(width)}${optionDetails(o)}` : `  ${label.padEnd(width)}${optionDetails(o)}`;
  };
  return [
    `usage: latentscape ${name}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
    ...(own.length ? ['options:', ...own.map(row), ''] : []),
    'common options:',
    ...common.map(row),
  ].join('\n');
}
