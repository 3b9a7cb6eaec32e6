/**
 * The notices the page shows, as a pure list: an identical notice (same level and message) is not
 * stacked again but counted on the one shown, which moves to the end; how long each level stays.
 */
import type { NoticeLevel } from './session';

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
  /** How many times it was raised (shown as "×3" from the second). */
  count: number;
}

/** How long a notice stays before it goes by itself (ms); null: until dismissed. */
export const NOTICE_LIFETIME_MS: Record<NoticeLevel, number | null> = { info: 8000, warning: 15000, error: null };

/** At most this many notices at once (the oldest go first). */
export const MAX_NOTICES = 6;

/** The list with a notice raised: the same one counted again (keeping its id), else a new one with `id`. */
export function raiseNotice(list: readonly Notice[], level: NoticeLevel, message: string, id: number): { list: Notice[]; notice: Notice } {
  const same = list.find((n) => n.level === level && n.message === message);
  const notice: Notice = same ? { ...same, count: same.count + 1 } : { id, level, message, count: 1 };
  const others = list.filter((n) => n !== same);
  return { list: [...others.slice(-(MAX_NOTICES - 1)), notice], notice };
}
