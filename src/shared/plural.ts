/**
 * A count and its noun in the right number ("1 file found", "3 files found"), for every message the
 * app, the engine and the CLI write. English plural rules (Intl.PluralRules); `many` for a noun
 * whose plural is not the singular plus "s".
 */
const rules = new Intl.PluralRules('en-US');

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${rules.select(n) === 'one' ? one : many}`;
}
