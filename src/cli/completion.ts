/**
 * `latentscape completion bash|zsh`: a completion script built from the commands' declarations
 * (command-specs.ts), so it offers exactly the options each command parses.
 */
import { COMMAND_SPECS } from './command-specs';
import { COMMON_OPTION_SPECS, type CommandSpec, type OptionSpec } from './options';
import { UsageError } from './io';

export const SHELLS = ['bash', 'zsh'] as const;

const GLOBAL_FLAGS = ['--help', '--version'];

function optionsOf(spec: CommandSpec): [string, OptionSpec][] {
  return Object.entries({ ...spec.options, ...COMMON_OPTION_SPECS } as Record<string, OptionSpec>);
}

/** Single-quoted for a shell: a quote inside becomes '\''. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function bashCompletion(): string {
  const names = Object.keys(COMMAND_SPECS);
  const commandCases = Object.entries(COMMAND_SPECS as Record<string, CommandSpec>).map(([name, spec]) => {
    const flags = optionsOf(spec).map(([n]) => `--${n}`);
    return `    ${name}) opts=${quoted(flags.join(' '))} ;;`;
  });
  const valueCases = Object.entries(COMMAND_SPECS as Record<string, CommandSpec>).flatMap(([name, spec]) =>
    optionsOf(spec)
      .filter(([, o]) => o.choices)
      .map(([n, o]) => `    ${name}:--${n}) COMPREPLY=($(compgen -W ${quoted(o.choices!.join(' '))} -- "$cur")); return ;;`),
  );
  const takesValue = Object.entries(COMMAND_SPECS as Record<string, CommandSpec>).flatMap(([name, spec]) =>
    optionsOf(spec)
      .filter(([, o]) => o.type === 'string' && !o.choices)
      .map(([n]) => `${name}:--${n}`),
  );
  return `# latentscape completion for bash: source <(latentscape completion bash)
_latentscape() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quoted([...names, ...GLOBAL_FLAGS].join(' '))} -- "$cur"))
    return
  fi
  case "$cmd:$prev" in
${valueCases.join('\n')}
  esac
  case " ${takesValue.join(' ')} " in
    *" $cmd:$prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
${commandCases.join('\n')}
    *) opts='' ;;
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _latentscape latentscape
`;
}

/** zsh's _arguments spec of one option: --name[help]:value:(choices) or :_files. */
function zshOption(name: string, o: OptionSpec): string {
  const help = o.help.replace(/[[\]:'\\]/g, ' ');
  const repeat = o.multiple ? '*' : '';
  if (o.type === 'boolean') return quoted(`${repeat}--${name}[${help}]`);
  const values = o.choices ? `(${o.choices.join(' ')})` : '_files';
  return quoted(`${repeat}--${name}=[${help}]:${(o.value ?? 'value').replace(/[:|]/g, ' ')}:${values}`);
}

export function zshCompletion(): string {
  const entries = Object.entries(COMMAND_SPECS as Record<string, CommandSpec>);
  const commands = entries.map(([name, spec]) => quoted(`${name}:${spec.summary.replace(/:/g, ' ')}`));
  const cases = entries.map(
    ([name, spec]) =>
      `    ${name}) _arguments ${optionsOf(spec)
        .map(([n, o]) => zshOption(n, o))
        .join(' ')} '*:file:_files' ;;`,
  );
  return `#compdef latentscape
# latentscape completion for zsh: source <(latentscape completion zsh), or save it as _latentscape on $fpath
_latentscape() {
  local -a commands
  commands=(${commands.join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases.join('\n')}
  esac
}
compdef _latentscape latentscape
`;
}

export function completionScript(shell: string | undefined): string {
  if (shell === 'bash') return bashCompletion();
  if (shell === 'zsh') return zshCompletion();
  throw new UsageError(`completion takes one shell: latentscape completion ${SHELLS.join('|')}${shell ? ` (got "${shell}")` : ''}`);
}
