/**
 * The image-folder background (vocabulary.ts): parsed from what a person types, turned into sRGB, and
 * read back from what a model or project recorded. Imports only the vocabulary.
 */
import { BACKGROUND_NAMES, type Background } from './vocabulary';

/**
 * What a record written before the background was a setting means: black. Ingest flattened every
 * image onto black then, so old models, caches and projects keep their pixels and fingerprints.
 */
export const LEGACY_BACKGROUND: Background = 'black';

const NAMED_RGB: Record<(typeof BACKGROUND_NAMES)[number], [number, number, number]> = { white: [255, 255, 255], black: [0, 0, 0] };

/** 'white', 'black', '#rrggbb' or '#rgb' (any case, spaces around) → its canonical form; a clear error otherwise. */
export function parseBackground(text: string): Background {
  const t = String(text).trim().toLowerCase();
  if ((BACKGROUND_NAMES as readonly string[]).includes(t)) return t as Background;
  if (/^#[0-9a-f]{6}$/.test(t)) return t;
  if (/^#[0-9a-f]{3}$/.test(t)) return `#${t[1]}${t[1]}${t[2]}${t[2]}${t[3]}${t[3]}`;
  throw new Error(`background must be "white", "black" or a colour like "#336699", got ${JSON.stringify(text)}`);
}

/** The background as sRGB, 0–255 each. */
export function backgroundRgb(background: Background): [number, number, number] {
  const canonical = parseBackground(background);
  if (canonical === 'white' || canonical === 'black') return [...NAMED_RGB[canonical]];
  return [1, 3, 5].map((i) => parseInt(canonical.slice(i, i + 2), 16)) as [number, number, number];
}

/**
 * The background a model manifest or project recorded: absent means LEGACY_BACKGROUND (written before
 * the setting existed); a value that is not a background gives null (not usable).
 */
export function recordedBackground(value: unknown): Background | null {
  if (value === undefined) return LEGACY_BACKGROUND;
  if (typeof value !== 'string') return null;
  try {
    return parseBackground(value);
  } catch {
    return null;
  }
}
